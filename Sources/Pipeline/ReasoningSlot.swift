import Reasoning
import Synchronization

/// The reasoning engine in force and the settings it runs with. A reload that changes
/// `[reasoning]` puts a new engine here; the old one finishes the windows it already accepted
/// (their verdicts still arrive) and then ends.
final class ReasoningSlot: Sendable {
    struct Current: Sendable {
        var engine: ReasoningEngine?
        /// nil: reasoning disabled.
        var configuration: ReasoningConfiguration?
        var demo: Bool
    }

    private let state: Mutex<Current>

    init(_ current: Current) { state = Mutex(current) }

    var current: Current { state.withLock { $0 } }

    /// Installs `next`; returns what it replaced.
    func replace(with next: Current) -> Current {
        state.withLock { s in
            let old = s
            s = next
            return old
        }
    }
}
