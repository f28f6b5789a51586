/// Triage's verdict on a window: a combined score and the evidence behind it.
public struct Suspicion: Sendable, Hashable, Codable {
    public var score: Double
    public var reasons: [SuspicionReason]
    public var escalated: Bool

    public init(score: Double, reasons: [SuspicionReason], escalated: Bool) {
        self.score = score
        self.reasons = reasons
        self.escalated = escalated
    }
}

public struct SuspicionReason: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case newTemplate, rareTemplate, rareTransition, countDeviation, severity, burst
    }

    public var kind: Kind
    /// Contribution to the combined score.
    public var score: Double
    public var templateID: TemplateID?
    /// For transitions: the template before `templateID`.
    public var previousTemplateID: TemplateID?
    /// Human-readable evidence ("seen 1 time in 40,000 windows", "count 12 vs baseline 2.1").
    public var detail: String

    public init(kind: Kind, score: Double, templateID: TemplateID? = nil, previousTemplateID: TemplateID? = nil,
                detail: String) {
        self.kind = kind
        self.score = score
        self.templateID = templateID
        self.previousTemplateID = previousTemplateID
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue)(\(detail))" }
}
