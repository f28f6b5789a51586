import CSystemd
import Control
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes each alert to the journal as `rationd` with a fixed MESSAGE_ID, a priority by
/// verdict and the alert's fields, so `journalctl -t rationd` (or `MESSAGE_ID=…`) shows them.
public struct JournalAlertWriter: Sendable {
    /// `journalctl MESSAGE_ID=a7c1e0d2f6b94d1e8f3c5b2a9d4e7f10` selects rationd alerts.
    public static let messageID = RationdMessageID.alert

    public init() {}

    /// err for a trusted abnormal verdict, warning when the verdict is unverified, skipped or
    /// missing, info when the model judged the window normal; but the model is advisory: its
    /// `normal` never takes the priority below what the triage evidence gives
    /// (`evidencePriority`). An operator's label is not advisory and decides alone.
    public static func priority(of alert: Alert) -> Int32 {
        if let op = alert.operatorLabel { return op.label == .abnormal ? 3 : 6 }
        let byVerdict: Int32
        if alert.verdict.isTrustedAbnormal {
            byVerdict = 3
        } else if alert.verdict.label == .normal, case .verified = alert.verdict.status {
            byVerdict = 6
        } else {
            byVerdict = 4
        }
        return min(byVerdict, evidencePriority(of: alert))
    }

    /// What the window shows without any model: err when a line in it is err or worse, warning
    /// when triage found a never-seen template or severe lines, info otherwise. Log text a
    /// model calls harmless (or is talked into calling harmless) cannot hide an error line.
    public static func evidencePriority(of alert: Alert) -> Int32 {
        if let worst = alert.window.events.compactMap(\.priority).min(), worst <= .err { return 3 }
        if alert.suspicion.reasons.contains(where: { $0.kind == .newTemplate || $0.kind == .severity }) { return 4 }
        return 6
    }

    /// Template texts beyond this many, or past this many bytes, are left out of RATIOND_TEMPLATES.
    package static let templateFieldLimit = (count: 20, bytes: 4000)

    public static func fields(of alert: Alert, event: AlertEvent = .raised, demo: Bool) -> [String] {
        let record = AlertRecord(alert)
        let verdict = record.verdictText()
        let first = alert.window.events.first?.message ?? ""
        let message = "alert \(record.id): \(record.source) \(record.sessionKey): score \(String(format2: record.score)), verdict \(verdict)\(demo ? " [demo model]" : ""), \(record.eventCount) events: \(first.prefix(200))"
        var fields = [
            "MESSAGE=\(message)",
            "MESSAGE_ID=\(messageID)",
            "PRIORITY=\(priority(of: alert))",
            "SYSLOG_IDENTIFIER=rationd",
            "RATIOND_ALERT_ID=\(record.id)",
            "RATIOND_SOURCE=\(record.source)",
            "RATIOND_SESSION=\(record.sessionKey)",
            "RATIOND_SCORE=\(String(format2: record.score))",
            "RATIOND_VERDICT=\(record.effectiveLabel ?? "none")",
            "RATIOND_VERDICT_STATUS=\(record.verdict.status)",
            "RATIOND_WINDOW_START_USEC=\(record.windowStart)",
            "RATIOND_WINDOW_END_USEC=\(record.windowEnd)",
            "RATIOND_COUNT=\(record.count)",
            "RATIOND_EVENT=\(event.rawValue)",
        ]
        if let host = record.host { fields.append("RATIOND_HOST=\(host)") }
        let units = alert.window.distinctUnits
        if !units.isEmpty { fields.append("RATIOND_UNITS=\(units.joined(separator: ","))") }
        let templates = templates(of: alert)
        if !templates.isEmpty { fields.append("RATIOND_TEMPLATES=\(templates)") }
        if demo { fields.append("RATIOND_DEMO=1") }
        if !record.verdict.rationale.isEmpty { fields.append("RATIOND_RATIONALE=\(record.verdict.rationale.prefix(4000))") }
        return fields
    }

    /// The window's template texts, one per line, in first-seen order and within
    /// `templateFieldLimit`.
    static func templates(of alert: Alert) -> String {
        var text = ""
        for id in alert.window.distinctTemplates.prefix(templateFieldLimit.count) {
            guard let template = alert.window.templates[id] else { continue }
            let line = (text.isEmpty ? "" : "\n") + template
            guard text.utf8.count + line.utf8.count <= templateFieldLimit.bytes else { break }
            text += line
        }
        return text
    }

    /// Sends one alert; returns the negative errno on failure (the journal is not reachable).
    @discardableResult
    public func write(_ alert: Alert, event: AlertEvent = .raised, demo: Bool = false) -> Int32 {
        let strings = Self.fields(of: alert, event: event, demo: demo).map { strdup($0)! }
        defer { for p in strings { free(p) } }
        var vectors = strings.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        return vectors.withUnsafeMutableBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
    }
}

extension String {
    /// Two decimals without Foundation.
    init(format2 value: Double) {
        let scaled = Int((value * 100).rounded())
        let sign = scaled < 0 ? "-" : ""
        let a = abs(scaled)
        self = "\(sign)\(a / 100).\(a % 100 < 10 ? "0" : "")\(a % 100)"
    }
}
