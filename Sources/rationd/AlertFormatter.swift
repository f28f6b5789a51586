import AlertStore
import Control
import Foundation
import RationCore

/// Text and JSON renderings of stored alerts for `rationd alerts`.
enum AlertFormatter {
    static func time(_ t: EventTime) -> String {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        return iso.string(from: Date(timeIntervalSince1970: t.secondsSinceEpoch))
    }

    /// The model's verdict as every alert view words it (``AlertRecord/verdictText(withReason:)``);
    /// the operator's label has its own field here.
    static func verdict(_ a: Alert) -> String {
        var record = AlertRecord(a)
        record.operatorLabel = nil
        return record.verdictText()
    }

    static func severity(_ s: StoredAlert) -> String { s.priority?.description ?? "-" }

    static func line(_ s: StoredAlert) -> String {
        let a = s.alert
        let units = s.units.joined(separator: ",")
        let first = a.window.events.first?.message ?? ""
        let label = a.operatorLabel.map { " label=\($0.label.rawValue)" } ?? ""
        let fields = ["\(a.id)", time(a.lastSeen), "x\(a.count)", severity(s), units.isEmpty ? "-" : units, a.window.source.rawValue,
                      a.window.key.rawValue, "score=\(String(format: "%.2f", a.suspicion.score))", "\(verdict(a))\(label)",
                      String(first.prefix(100))]
        // Fields are escaped one by one: a tab inside log text must not look like a separator.
        return fields.map { TerminalText.escaped($0) }.joined(separator: "\t")
    }

    static func detail(_ s: StoredAlert) -> String {
        let a = s.alert
        var out: [String] = []
        out.append("alert \(a.id)")
        out.append("  first seen: \(time(a.firstSeen))   last seen: \(time(a.lastSeen))   count: \(a.count)")
        out.append("  histogram:  \(s.histogram.counts.map(String.init).joined(separator: " ")) (per \(s.histogram.bucketSeconds) s from \(time(s.histogram.start)))")
        out.append("  source: \(a.window.source)   host: \(a.host ?? "-")   session: \(a.window.key)   severity: \(severity(s))")
        out.append("  window: \(time(a.window.start)) … \(time(a.window.end)), \(a.window.eventCount) events (\(a.window.events.count) kept)")
        out.append("  triage score: \(String(format: "%.3f", a.suspicion.score))\(a.suspicion.escalated ? " (escalated)" : "")")
        for r in a.suspicion.reasons { out.append("    - \(r.kind.rawValue) \(String(format: "%.3f", r.score)): \(r.detail)") }
        let v = a.verdict
        out.append("  verdict: \(verdict(a))\(v.model.map { "   model: \($0)" } ?? "")\(v.verifierScore.map { "   verifier: \($0)" } ?? "")\(v.latency.map { "   latency: \($0)" } ?? "")\(v.cached ? "   (cached)" : "")")
        if !v.rationale.isEmpty { out.append("  rationale: \(v.rationale)") }
        if let l = a.operatorLabel { out.append("  operator label: \(l.label.rawValue) at \(time(l.time))\(l.note.map { ": \($0)" } ?? "")") }
        out.append("  events:")
        for e in a.window.events {
            out.append("    \(time(e.time)) \(e.priority?.description ?? "-") \(e.unit ?? "-") [\(e.templateID)] \(e.message)")
        }
        out.append("  templates:")
        for (id, text) in a.window.templates.sorted(by: { $0.key < $1.key }) { out.append("    \(id): \(text)") }
        return TerminalText.escapedLines(out)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Damage is reported on stderr so it never mixes with listed alerts.
    static func warnAboutDamage(_ store: AlertStore) {
        let status = store.status
        guard status.corruptRangesSkipped > 0 else { return }
        FileHandle.standardError.write(Data("warning: \(status.corruptRangesSkipped) damaged ranges skipped; the rest is shown:\n".utf8))
        for d in status.damaged { FileHandle.standardError.write(Data("  \(d)\n".utf8)) }
    }
}
