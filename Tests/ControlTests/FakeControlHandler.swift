import Control
import Foundation
import NIOConcurrencyHelpers
import RationCore

/// A `ControlHandler` over fixed alerts and templates, with `publish` to raise new alerts.
/// Scripted on purpose: the server and rationctl are under test here, not the pipeline.
final class FakeControlHandler: ControlHandler {
    struct State {
        var alerts: [Alert]
        var templates: [TemplateRecord]
        var followers: [UUID: AsyncStream<Alert>.Continuation] = [:]
        var reloads = 0
        var reloadError: String?
        /// How long `status()` takes (request timeouts).
        var statusDelay: Duration?
    }

    let state: NIOLockedValueBox<State>

    init(alerts: [Alert] = FakeControlHandler.sampleAlerts, templates: [TemplateRecord] = FakeControlHandler.sampleTemplates) {
        state = NIOLockedValueBox(State(alerts: alerts, templates: templates))
    }

    var followerCount: Int { state.withLockedValue { $0.followers.count } }
    var reloads: Int { state.withLockedValue { $0.reloads } }

    func publish(_ alert: Alert) {
        let followers = state.withLockedValue { s in
            s.alerts.append(alert)
            return s.followers
        }
        for f in followers.values { f.yield(alert) }
    }

    func status() async throws -> DaemonStatus {
        if let delay = state.withLockedValue({ $0.statusDelay }) { try await Task.sleep(for: delay) }
        let (count, last) = state.withLockedValue { ($0.alerts.count, $0.alerts.last) }
        return DaemonStatus(
            version: "0.1.0-test", uptimeSeconds: 12.5,
            sources: [.init(name: "journal", kind: "journal", records: 1234, lagSeconds: 0.2, checkpoint: "s=abc;i=1"),
                      .init(name: "files.var-log", kind: "file", records: 56, lagSeconds: nil, checkpoint: "/var/log/syslog@4096", errors: 1)],
            miner: .init(templates: 42, newTemplatesLastHour: 3),
            queues: [.init(name: "miner", depth: 5, capacity: 4096), .init(name: "reasoning", depth: 1, capacity: 256)],
            llm: .init(calls: 7, cacheHits: 30, failures: 1, skipped: 2, budgetPerMinute: 30, budgetLeft: 23, demo: true),
            store: .init(alerts: count, bytes: 8192, capacityBytes: 256 << 20, oldestAlert: 1_700_000_000_000_000,
                         removedBySource: ["journal": 120, "files.app": 3], carriedAlerts: 7, protectedAlerts: 30),
            lastAlert: last?.id.rawValue, lastAlertTime: last?.lastSeen.microsecondsSinceEpoch)
    }

    func alerts(matching query: AlertQuery) async throws -> [Alert] {
        let all = state.withLockedValue { $0.alerts }
        let limit = query.limit ?? AlertQuery.defaultLimit
        return Array(all.filter { query.matches(AlertRecord($0)) }
            .sorted { ($0.lastSeen.microsecondsSinceEpoch, $0.id.rawValue) > ($1.lastSeen.microsecondsSinceEpoch, $1.id.rawValue) }
            .prefix(limit))
    }

    func followAlerts() async -> AsyncStream<Alert> {
        let (stream, continuation) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingNewest(64))
        let id = UUID()
        state.withLockedValue { $0.followers[id] = continuation }
        continuation.onTermination = { [state] _ in
            state.withLockedValue { _ = $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    func alert(id: AlertID) async throws -> Alert {
        guard let a = state.withLockedValue({ $0.alerts.first { $0.id == id } }) else { throw ControlError.alertNotFound(id) }
        return a
    }

    func templates(matching query: TemplateQuery) async throws -> [TemplateRecord] {
        let all = state.withLockedValue { $0.templates }
        return query.select(all)
    }

    /// Like the daemon: templates too broad to label are refused unless `force`; the alert's
    /// implied labels are reported as exact, with no earlier label.
    func labelAlert(id: AlertID, label: OperatorLabel, force: Bool) async throws -> (alert: Alert, changes: [LabelChange]) {
        try state.withLockedValue { s in
            guard let i = s.alerts.firstIndex(where: { $0.id == id }) else { throw ControlError.alertNotFound(id) }
            let implied = LabelReach.impliedTemplates(Array(s.alerts[i].window.templates.values), label: label.label)
            if !force, let broad = implied.first(where: LabelReach.isTooBroad) {
                throw ControlError.labelTooBroad(template: broad, literalWords: LabelReach.literalWords(in: broad))
            }
            s.alerts[i].operatorLabel = label
            return (s.alerts[i], implied.map { LabelChange(template: $0, oldLabel: nil, newLabel: label.label.rawValue, match: "exact") })
        }
    }

    func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws -> (template: TemplateRecord, changes: [LabelChange]) {
        try state.withLockedValue { s in
            guard let i = s.templates.firstIndex(where: { $0.id == id.rawValue }) else { throw ControlError.templateNotFound(id) }
            let text = s.templates[i].text
            if !force, LabelReach.isTooBroad(text) {
                throw ControlError.labelTooBroad(template: text, literalWords: LabelReach.literalWords(in: text))
            }
            let old = s.templates[i].operatorLabel?.label
            s.templates[i].operatorLabel = AlertRecord.Label(label: label.label.rawValue, note: label.note,
                                                             time: label.time.microsecondsSinceEpoch)
            return (s.templates[i], [LabelChange(template: text, oldLabel: old, newLabel: label.label.rawValue, match: "pattern")])
        }
    }

    func acknowledgeRecoveries() async throws -> Int { 0 }

    func reload() async throws -> [String] {
        try state.withLockedValue { s in
            if let e = s.reloadError { throw ControlError.reloadFailed(e) }
            s.reloads += 1
            return ["reasoning.maxCallsPerMinute: 30 -> 5"]
        }
    }

    static func alert(id: UInt64, time: Int64, unit: String, score: Double, label: Verdict.Label?, message: String,
                      source: String = "journal", skipped: Bool = false) -> Alert {
        let t = EventTime(microsecondsSinceEpoch: time)
        let event = WindowEvent(time: t, templateID: TemplateID(id * 10), message: message, priority: .err, unit: unit)
        let window = Window(key: SessionKey(unit), source: SourceID(source), start: t, end: t.adding(.seconds(2)),
                            events: [event], eventCount: 17, templates: [TemplateID(id * 10): "template <*> of \(unit)"])
        let suspicion = Suspicion(score: score, reasons: [
            SuspicionReason(kind: .newTemplate, score: score / 2, templateID: TemplateID(id * 10), detail: "first seen"),
            SuspicionReason(kind: .burst, score: score / 2, detail: "17 events in 2s vs baseline 0.3/s"),
        ], escalated: true)
        let verdict = skipped ? Verdict.skipped("budget exhausted")
            : Verdict(label: label, status: .verified, rationale: "the disk failed", model: "smollm2", verifierScore: 1.1,
                      latency: .milliseconds(850))
        return Alert(id: AlertID(id), firstSeen: t, lastSeen: t.adding(.seconds(2)), count: 1, host: "testhost",
                     window: window, suspicion: suspicion, verdict: verdict)
    }

    static let base: Int64 = 1_764_000_000_000_000
    static let sampleAlerts: [Alert] = [
        alert(id: 1, time: base, unit: "nginx.service", score: 0.7, label: .abnormal, message: "upstream timed out"),
        alert(id: 2, time: base + 60_000_000, unit: "sshd.service", score: 0.65, label: .normal,
              // Log text may carry terminal control sequences; rationctl must show, not obey, them.
              message: "Accepted publickey\u{1B}[2J\nfake line"),
        alert(id: 3, time: base + 120_000_000, unit: "kernel", score: 0.95, label: nil, message: "I/O error, dev sda",
              source: "files.var-log", skipped: true),
    ]
    static let sampleTemplates: [TemplateRecord] = [
        TemplateRecord(id: 10, text: "upstream timed out <*>", count: 500, firstSeen: base, lastSeen: base + 1, verdict: "abnormal"),
        TemplateRecord(id: 20, text: "Accepted publickey for <*>", count: 9000, firstSeen: base - 1_000_000, lastSeen: base + 2, verdict: "normal"),
        TemplateRecord(id: 30, text: "I/O error, dev <*>", count: 3, firstSeen: base + 100, lastSeen: base + 3),
        // What a line such as "31337" or "/tmp/x" mines to: too broad to label without force.
        TemplateRecord(id: 40, text: "<*>", count: 2, firstSeen: base + 200, lastSeen: base + 4),
    ]
}
