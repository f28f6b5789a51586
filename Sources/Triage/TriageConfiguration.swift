import RationCore

/// How triage scores windows and when it escalates them to reasoning.
///
/// Scores are in bits of surprise: a pattern seen in a share `p` of learned windows scores
/// `-log2 p`, and a never-seen one scores `-log2` of how often windows bring something new, so
/// novelty counts for little in a stream that keeps producing new patterns and for a lot in
/// a stream that does not. A window's score is the sum over kinds of the strongest reason of
/// each kind.
public struct TriageConfiguration: Sendable, Hashable, Codable {
    /// Relative weights per reason kind (1 = the surprise in bits as is).
    public struct Weights: Sendable, Hashable, Codable {
        public var newTemplate: Double
        public var rareTemplate: Double
        public var rareTransition: Double
        public var countDeviation: Double
        public var severity: Double
        public var burst: Double

        public init(newTemplate: Double = 1, rareTemplate: Double = 1, rareTransition: Double = 1,
                    countDeviation: Double = 1, severity: Double = 1, burst: Double = 1) {
            self.newTemplate = newTemplate
            self.rareTemplate = rareTemplate
            self.rareTransition = rareTransition
            self.countDeviation = countDeviation
            self.severity = severity
            self.burst = burst
        }

        public static let `default` = Weights()

        public mutating func set(_ kind: SuspicionReason.Kind, _ value: Double) {
            switch kind {
            case .newTemplate: newTemplate = value
            case .rareTemplate: rareTemplate = value
            case .rareTransition: rareTransition = value
            case .countDeviation: countDeviation = value
            case .severity: severity = value
            case .burst: burst = value
            }
        }

        public func weight(_ kind: SuspicionReason.Kind) -> Double {
            switch kind {
            case .newTemplate: newTemplate
            case .rareTemplate: rareTemplate
            case .rareTransition: rareTransition
            case .countDeviation: countDeviation
            case .severity: severity
            case .burst: burst
            }
        }
    }

    /// Which assessed windows update the learned model.
    public enum Learning: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every window: a pattern stops being suspicious once it is no longer rare.
        case allWindows
        /// Only windows that were not escalated: a suspicious pattern stays suspicious
        /// however often it recurs (until an operator resets the model).
        case unescalatedOnly
    }

    /// A window whose combined score reaches this escalates (bits).
    public var threshold: Double
    /// The first this-many windows are learned from and scored but never escalated.
    public var warmupWindows: Int
    /// At most this many escalations per hour of event time (nil: unlimited); windows over
    /// the threshold past the budget are counted in `TriageStatistics.suppressedByBudget`.
    public var escalationBudgetPerHour: Int?
    /// A template, transition or count vector seen in fewer than this share of learned windows
    /// is rare.
    public var rareFraction: Double
    public var weights: Weights
    /// Severity scores (bits) for the most severe event in the window: crit and worse, err,
    /// warning. Halved for a template that is at that level in at least
    /// `commonSeverityFraction` of learned windows (its errors are routine).
    public var criticalScore: Double
    public var errorScore: Double
    public var warningScore: Double
    public var commonSeverityFraction: Double
    /// A window whose event rate is at least `burstRatio` times its source's learned rate, with
    /// at least `burstMinimumEvents` events, is a burst.
    public var burstRatio: Double
    public var burstMinimumEvents: Int
    public var learning: Learning
    /// Caps on each source's learned tables; past a cap the least-seen tenth is forgotten.
    public var maxTemplates: Int
    public var maxTransitions: Int
    public var maxSignatures: Int
    /// Sources with a baseline of their own (sources are configured, so few); past it the
    /// source with the fewest learned windows is forgotten.
    public var maxSources: Int
    /// At most this many reasons are kept per window (the strongest of each kind first).
    public var maxReasons: Int

    public init(threshold: Double = 8, warmupWindows: Int = 200, escalationBudgetPerHour: Int? = 600,
                rareFraction: Double = 0.05, weights: Weights = .default, criticalScore: Double = 6,
                errorScore: Double = 4, warningScore: Double = 2, commonSeverityFraction: Double = 0.5,
                burstRatio: Double = 10, burstMinimumEvents: Int = 50, learning: Learning = .allWindows,
                maxTemplates: Int = 100_000, maxTransitions: Int = 200_000, maxSignatures: Int = 100_000,
                maxSources: Int = 256, maxReasons: Int = 8) {
        self.threshold = threshold
        self.warmupWindows = warmupWindows
        self.escalationBudgetPerHour = escalationBudgetPerHour
        self.rareFraction = rareFraction
        self.weights = weights
        self.criticalScore = criticalScore
        self.errorScore = errorScore
        self.warningScore = warningScore
        self.commonSeverityFraction = commonSeverityFraction
        self.burstRatio = burstRatio
        self.burstMinimumEvents = burstMinimumEvents
        self.learning = learning
        self.maxTemplates = maxTemplates
        self.maxTransitions = maxTransitions
        self.maxSignatures = maxSignatures
        self.maxSources = maxSources
        self.maxReasons = maxReasons
    }

    public static let `default` = TriageConfiguration()

    public func validate() throws(TriageError) {
        func check(_ ok: Bool, _ setting: String, _ reason: String) throws(TriageError) {
            if !ok { throw .invalidConfiguration(setting: setting, reason: reason) }
        }
        try check(threshold.isFinite && threshold > 0, "threshold", "must be > 0, got \(threshold)")
        try check(warmupWindows >= 0, "warmupWindows", "must be >= 0, got \(warmupWindows)")
        if let budget = escalationBudgetPerHour {
            try check(budget > 0, "escalationBudgetPerHour", "must be > 0, got \(budget)")
        }
        try check(rareFraction > 0 && rareFraction < 1, "rareFraction", "must be in (0, 1), got \(rareFraction)")
        try check(commonSeverityFraction > 0 && commonSeverityFraction <= 1, "commonSeverityFraction",
                  "must be in (0, 1], got \(commonSeverityFraction)")
        try check(burstRatio > 1, "burstRatio", "must be > 1, got \(burstRatio)")
        try check(burstMinimumEvents > 0, "burstMinimumEvents", "must be > 0")
        for kind in SuspicionReason.Kind.allCases {
            let w = weights.weight(kind)
            try check(w.isFinite && w >= 0, "weights.\(kind.rawValue)", "must be >= 0, got \(w)")
        }
        for (name, value) in [("criticalScore", criticalScore), ("errorScore", errorScore),
                              ("warningScore", warningScore)] {
            try check(value.isFinite && value >= 0, name, "must be >= 0, got \(value)")
        }
        for (name, value) in [("maxTemplates", maxTemplates), ("maxTransitions", maxTransitions),
                              ("maxSignatures", maxSignatures), ("maxSources", maxSources),
                              ("maxReasons", maxReasons)] {
            try check(value >= 10 || (name == "maxReasons" && value > 0), name, "too small: \(value)")
        }
    }
}
