import RationCore

/// A query over stored alerts; nil fields do not filter. Results are newest first (by last seen).
public struct AlertQuery: Sendable, Hashable {
    /// Alerts whose last occurrence is at or after `since`…
    public var since: EventTime?
    /// …and whose first occurrence is at or before `until`.
    public var until: EventTime?
    /// A systemd unit that occurs in the alert's window.
    public var unit: String?
    public var source: SourceID?
    /// At least this severe (the most severe event priority in the window).
    public var severity: Priority?
    public var verdict: Verdict.Label?
    public var minScore: Double?
    public var operatorLabel: Verdict.Label?
    /// Case-sensitive substring of the session key, messages, templates, reasons or rationale.
    public var text: String?
    public var limit: Int
    /// Only alerts after this one in result order (paging).
    public var olderThan: AlertPosition?

    public init(since: EventTime? = nil, until: EventTime? = nil, unit: String? = nil, source: SourceID? = nil,
                severity: Priority? = nil, verdict: Verdict.Label? = nil, minScore: Double? = nil,
                operatorLabel: Verdict.Label? = nil, text: String? = nil, limit: Int = 100) {
        self.since = since
        self.until = until
        self.unit = unit
        self.source = source
        self.severity = severity
        self.verdict = verdict
        self.minScore = minScore
        self.operatorLabel = operatorLabel
        self.text = text
        self.limit = limit
    }

    func matches(_ h: RecordIndex) -> Bool {
        if let olderThan, !((h.lastSeen, h.id) < (olderThan.lastSeen, olderThan.id)) { return false }
        if let since, h.lastSeen < since.microsecondsSinceEpoch { return false }
        if let until, h.firstSeen > until.microsecondsSinceEpoch { return false }
        if let source, h.source != source.rawValue { return false }
        if let unit, !h.units.contains(unit) { return false }
        if let severity, h.priority > UInt8(severity.rawValue) { return false }
        if let verdict, h.verdict != RecordIndex.code(verdict) { return false }
        if let operatorLabel, h.label != RecordIndex.code(operatorLabel) { return false }
        if let minScore, h.score < minScore { return false }
        return true
    }

    func matchesText(_ stored: StoredAlert) -> Bool {
        guard let text, !text.isEmpty else { return true }
        let a = stored.alert
        if a.window.key.rawValue.contains(text) || a.window.source.rawValue.contains(text) { return true }
        if a.window.events.contains(where: { $0.message.contains(text) || ($0.unit?.contains(text) ?? false) }) { return true }
        if a.window.templates.values.contains(where: { $0.contains(text) }) { return true }
        if a.suspicion.reasons.contains(where: { $0.detail.contains(text) }) { return true }
        if a.verdict.rationale.contains(text) || (a.host?.contains(text) ?? false) { return true }
        if let note = a.operatorLabel?.note, note.contains(text) { return true }
        return false
    }
}
