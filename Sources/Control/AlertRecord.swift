import RationCore

/// An alert as it travels over the control socket (`io.rationd.Alert`): flat, with times in
/// microseconds since the Unix epoch and template ids as integers.
public struct AlertRecord: Sendable, Hashable, Codable {
    public struct Event: Sendable, Hashable, Codable {
        public var time: Int64
        public var template: UInt64
        public var message: String
        public var priority: Int?
        public var unit: String?
    }

    public struct Template: Sendable, Hashable, Codable {
        public var id: UInt64
        public var text: String
    }

    public struct Reason: Sendable, Hashable, Codable {
        public var kind: String
        public var score: Double
        public var template: UInt64?
        public var previousTemplate: UInt64?
        public var detail: String
    }

    public struct VerdictRecord: Sendable, Hashable, Codable {
        /// `normal`, `abnormal`, or absent when no model answered.
        public var label: String?
        /// `verified`, `unverified`, `skipped` or `operator`.
        public var status: String
        /// Why it is unverified or skipped.
        public var reason: String?
        public var rationale: String
        public var model: String?
        public var verifierScore: Double?
        public var latencyMs: Double?
        public var cached: Bool
    }

    public struct Label: Sendable, Hashable, Codable {
        public var label: String
        public var note: String?
        public var time: Int64
        public init(label: String, note: String? = nil, time: Int64) {
            self.label = label
            self.note = note
            self.time = time
        }
    }

    public var id: UInt64
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var count: Int
    public var host: String?
    public var source: String
    public var sessionKey: String
    public var windowStart: Int64
    public var windowEnd: Int64
    public var eventCount: Int
    public var events: [Event]
    public var templates: [Template]
    public var score: Double
    public var escalated: Bool
    public var reasons: [Reason]
    public var verdict: VerdictRecord
    public var operatorLabel: Label?

    public init(_ alert: Alert) {
        id = alert.id.rawValue
        firstSeen = alert.firstSeen.microsecondsSinceEpoch
        lastSeen = alert.lastSeen.microsecondsSinceEpoch
        count = alert.count
        host = alert.host
        source = alert.window.source.rawValue
        sessionKey = alert.window.key.rawValue
        windowStart = alert.window.start.microsecondsSinceEpoch
        windowEnd = alert.window.end.microsecondsSinceEpoch
        eventCount = alert.window.eventCount
        events = alert.window.events.map {
            Event(time: $0.time.microsecondsSinceEpoch, template: $0.templateID.rawValue, message: $0.message,
                  priority: $0.priority?.rawValue, unit: $0.unit)
        }
        templates = alert.window.templates.sorted { $0.key < $1.key }.map { Template(id: $0.key.rawValue, text: $0.value) }
        score = alert.suspicion.score
        escalated = alert.suspicion.escalated
        reasons = alert.suspicion.reasons.map {
            Reason(kind: $0.kind.rawValue, score: $0.score, template: $0.templateID?.rawValue,
                   previousTemplate: $0.previousTemplateID?.rawValue, detail: $0.detail)
        }
        verdict = VerdictRecord(alert.verdict)
        operatorLabel = alert.operatorLabel.map {
            Label(label: $0.label.rawValue, note: $0.note, time: $0.time.microsecondsSinceEpoch)
        }
    }

    /// The operator's label when there is one, else the model's; `nil` when neither.
    public var effectiveLabel: String? { operatorLabel?.label ?? verdict.label }
}

extension AlertRecord.VerdictRecord {
    public init(_ v: Verdict) {
        label = v.label?.rawValue
        switch v.status {
        case .verified: status = "verified"; reason = nil
        case .unverified(let r): status = "unverified"; reason = r
        case .skipped(let r): status = "skipped"; reason = r
        case .operatorOverride: status = "operator"; reason = nil
        }
        rationale = v.rationale
        model = v.model
        verifierScore = v.verifierScore
        latencyMs = v.latency.map { Double($0.microseconds) / 1000 }
        cached = v.cached
    }
}
