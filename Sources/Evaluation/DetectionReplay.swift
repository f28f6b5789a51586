import RationCore
import Triage

/// Replays a labelled dataset through miner -> sessionizer -> triage exactly as the daemon
/// runs them (records in order, windows assessed as they close, learning online), and
/// collects the verdict per labelled session. A session split into several windows counts as
/// predicted/escalated when any of its windows is.
public struct DetectionReplay: Sendable {
    public struct SessionOutcome: Sendable, Hashable {
        public var predicted = false
        public var escalated = false
        public var score = 0.0
        /// The highest score among the session's windows assessed after warm-up (-1: none).
        public var scoredScore = -1.0
        public var windows = 0
        /// The reasons of the session's highest-scoring window.
        public var reasons: [SuspicionReason] = []
        public init() {}
    }

    public private(set) var outcomes: [String: SessionOutcome] = [:]
    public private(set) var sessionizer: Sessionizer
    public private(set) var triage: Triage
    public private(set) var windows = 0

    public init(sessionizer: SessionizerConfiguration, triage: TriageConfiguration) throws(TriageError) {
        self.sessionizer = try Sessionizer(configuration: sessionizer)
        self.triage = try Triage(configuration: triage)
    }

    /// Runs `dataset` end to end. `mine` gives each record's template id and current text.
    public static func run(_ dataset: DetectionDataset, triage configuration: TriageConfiguration,
                           mine: (LogRecord) -> (TemplateID, String)) throws(TriageError) -> DetectionReplay {
        var replay = try DetectionReplay(sessionizer: dataset.sessionizer, triage: configuration)
        for record in dataset.records {
            let (id, text) = mine(record)
            replay.add(record, templateID: id, templateText: text)
        }
        replay.finish()
        return replay
    }

    public mutating func add(_ record: LogRecord, templateID: TemplateID, templateText: String) {
        for window in sessionizer.add(record, templateID: templateID, templateText: templateText) { assess(window) }
    }

    public mutating func finish() {
        for window in sessionizer.flush() { assess(window) }
    }

    private mutating func assess(_ window: Window) {
        windows += 1
        let warming = triage.isWarmingUp(window.source)
        let suspicion = triage.assess(window)
        var outcome = outcomes[window.key.rawValue] ?? SessionOutcome()
        outcome.windows += 1
        outcome.predicted = outcome.predicted || (!warming && triage.isSuspicious(suspicion))
        outcome.escalated = outcome.escalated || suspicion.escalated
        if !warming { outcome.scoredScore = max(outcome.scoredScore, suspicion.score) }
        if outcome.windows == 1 || suspicion.score > outcome.score {
            outcome.score = suspicion.score
            outcome.reasons = suspicion.reasons
        }
        outcomes[window.key.rawValue] = outcome
    }

    /// `session,predicted,escalated` rows for the labelled sessions, in `sessions` order
    /// (the input of score_detection.py).
    public func predictionsCSV(sessions: [String]) -> String {
        var out = "session,predicted,escalated\n"
        for session in sessions {
            let o = outcomes[session] ?? SessionOutcome()
            out += "\(session),\(o.predicted ? 1 : 0),\(o.escalated ? 1 : 0)\n"
        }
        return out
    }

    public func metrics(_ dataset: DetectionDataset) -> DetectionMetrics {
        DetectionMetrics(labels: dataset.labels,
                         predicted: Set(dataset.sessions.filter { outcomes[$0]?.predicted == true }),
                         escalated: Set(dataset.sessions.filter { outcomes[$0]?.escalated == true }))
    }
}
