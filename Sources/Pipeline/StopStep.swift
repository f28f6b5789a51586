/// The step a stopping pipeline is at, named in its description so that a stop cut short at
/// `shutdown_timeout` says what it was waiting for.
enum StopStep: Sendable, CustomStringConvertible {
    case drainingQueue
    case awaitingVerdicts
    case committingCheckpoints
    case savingMinerSnapshot
    case savingTriageSnapshot
    case joiningSourceThreads
    case closingStore

    var description: String {
        switch self {
        case .drainingQueue: "stopping sources and draining the queue"
        case .awaitingVerdicts: "awaiting verdicts"
        case .committingCheckpoints: "syncing the alert store and saving checkpoints"
        case .savingMinerSnapshot: "saving the miner snapshot"
        case .savingTriageSnapshot: "saving the triage snapshot"
        case .joiningSourceThreads: "waiting for source threads"
        case .closingStore: "closing the alert store"
        }
    }
}
