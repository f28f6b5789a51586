import Foundation
import Ingest
import Synchronization

/// Persists the latest file-source state from a thread of its own, so the reader never
/// waits for fsync. Holds one slot (the newest state replaces an unsaved older one), so it
/// cannot queue without bound. A state is handed over only after the output it covers was
/// written, which keeps the commit-after-delivery contract.
final class CheckpointCommitter: Sendable {
    private struct Pending: Sendable {
        var state: FileSourceState
        var covered: Int
    }

    private let store: FileCheckpointStore
    private let interval: Duration
    private let onCommit: @Sendable (Int) -> Void
    private let slot = Mutex<Pending?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let failure = Mutex<IngestError?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// `onCommit(covered)` runs after each save with the count handed in with the state.
    init(store: FileCheckpointStore, interval: Duration, onCommit: @escaping @Sendable (Int) -> Void) {
        self.store = store
        self.interval = interval
        self.onCommit = onCommit
    }

    func start() {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                Thread.sleep(forTimeInterval: max(0.001, Double(interval.components.seconds)
                    + Double(interval.components.attoseconds) / 1e18))
                saveLatest()
            }
            saveLatest()
            done.signal()
        }
        thread.name = "checkpoint-committer"
        thread.start()
    }

    /// Offers the state to save; `covered` is passed back to `onCommit`.
    func offer(_ state: FileSourceState, covered: Int) {
        slot.withLock { $0 = Pending(state: state, covered: covered) }
    }

    /// The first save error, if any (the reader stops on it).
    var error: IngestError? { failure.withLock { $0 } }

    /// Saves what is pending and ends the thread.
    func stop() {
        stopping.store(true, ordering: .releasing)
        done.wait()
    }

    private func saveLatest() {
        guard let pending = slot.withLock({ value -> Pending? in
            defer { value = nil }
            return value
        }) else { return }
        do {
            try store.save(pending.state)
            onCommit(pending.covered)
        } catch {
            failure.withLock { if $0 == nil { $0 = error } }
        }
    }
}
