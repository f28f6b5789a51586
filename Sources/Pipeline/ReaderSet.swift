import RationCore
import Synchronization

/// The source readers running now. A reload adds and retires readers from the stage task while
/// graceful shutdown stops them from another task; once `stopAll` ran, a reader added later is
/// not started (it would never be told to stop).
final class ReaderSet: Sendable {
    private struct State {
        var readers: [SourceReader] = []
        var stopped = false
    }

    private let state = Mutex(State())

    init(_ readers: [SourceReader]) { state.withLock { $0.readers = readers } }

    var all: [SourceReader] { state.withLock { $0.readers } }

    func reader(_ id: SourceID) -> SourceReader? { state.withLock { s in s.readers.first { $0.id == id } } }

    /// Starts `reader` and adds it; false (not started) after `stopAll`.
    @discardableResult
    func start(_ reader: SourceReader) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.readers.append(reader)
            return true
        }
        if accepted { reader.start() }
        return accepted
    }

    /// Forgets a reader whose thread ended (retired by a reload).
    func remove(_ reader: SourceReader) { state.withLock { s in s.readers.removeAll { $0 === reader } } }

    /// Asks every reader to stop, and refuses new ones from now on.
    func stopAll() {
        let readers = state.withLock { s -> [SourceReader] in
            s.stopped = true
            return s.readers
        }
        for reader in readers { reader.stop() }
    }
}
