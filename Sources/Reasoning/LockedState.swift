import Foundation

/// A value behind a lock, for the few fields that must be reachable without hopping onto an
/// actor (`ReasoningEngine.submit`). Synchronization's `Mutex` would need macOS 15.
final class LockedState<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
