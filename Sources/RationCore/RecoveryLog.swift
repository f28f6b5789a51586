import Synchronization

/// The recoveries since the daemon started that no operator has acknowledged yet. Bounded:
/// the oldest are dropped past `capacity`, and `dropped` counts them, so a file that is
/// damaged again on every restart cannot grow it.
public final class RecoveryLog: Sendable {
    public let capacity: Int
    private let state = Mutex<(entries: [Recovery], dropped: Int)>(([], 0))

    public init(capacity: Int = 32) { self.capacity = capacity }

    public func record(_ recovery: Recovery) {
        state.withLock { s in
            s.entries.append(recovery)
            if s.entries.count > capacity {
                s.entries.removeFirst(s.entries.count - capacity)
                s.dropped += 1
            }
        }
    }

    /// Unacknowledged recoveries, oldest first, and how many older ones were dropped.
    public var pending: (entries: [Recovery], dropped: Int) { state.withLock { $0 } }

    /// Clears the list; returns how many recoveries were acknowledged (dropped ones included).
    @discardableResult
    public func acknowledge() -> Int {
        state.withLock { s in
            defer { s = ([], 0) }
            return s.entries.count + s.dropped
        }
    }
}
