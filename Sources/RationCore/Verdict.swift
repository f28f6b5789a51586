/// The reasoning stage's answer about a window or a template.
public struct Verdict: Sendable, Hashable, Codable {
    public enum Label: String, Sendable, Hashable, Codable, CaseIterable {
        case normal, abnormal
    }

    /// Whether the verdict can be trusted, and if not, why.
    public enum Status: Sendable, Hashable, Codable {
        /// The reply passed every check of the verifier.
        case verified
        /// The reply failed a check after the retry; `label` is the model's claim, not trusted.
        case unverified(reason: String)
        /// No model was asked (budget exhausted, endpoint down, disabled).
        case skipped(reason: String)
        /// An operator labelled it; wins over any model verdict.
        case operatorOverride
    }

    public var label: Label?
    public var status: Status
    /// The `<think>` text, or the operator's note.
    public var rationale: String
    public var model: String?
    /// The verifier's score of the reply (format, answer, consistency, evidence).
    public var verifierScore: Double?
    public var latency: Duration?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// True when it came from the verdict cache rather than a fresh call.
    public var cached: Bool

    public init(label: Label?, status: Status, rationale: String = "", model: String? = nil,
                verifierScore: Double? = nil, latency: Duration? = nil, promptTokens: Int? = nil,
                completionTokens: Int? = nil, cached: Bool = false) {
        self.label = label
        self.status = status
        self.rationale = rationale
        self.model = model
        self.verifierScore = verifierScore
        self.latency = latency
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cached = cached
    }

    public static func skipped(_ reason: String) -> Verdict {
        Verdict(label: nil, status: .skipped(reason: reason))
    }

    /// Trusted abnormal: verified by the verifier or set by an operator.
    public var isTrustedAbnormal: Bool {
        guard label == .abnormal else { return false }
        switch status {
        case .verified, .operatorOverride: return true
        case .unverified, .skipped: return false
        }
    }
}
