import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about the daemon's state through `sd_notify` (a no-op outside a
/// `Type=notify` service, when `$NOTIFY_SOCKET` is unset).
public struct SystemdNotifier: Sendable {
    public init() {}

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), if enabled.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    public func ready(status: String? = nil) { send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? [])) }
    public func status(_ text: String) { send(["STATUS=\(text)"]) }
    public func watchdog() { send(["WATCHDOG=1"]) }
    public func stopping() { send(["STOPPING=1", "STATUS=stopping: draining queues, writing snapshots and checkpoints"]) }

    /// `RELOADING=1` with `MONOTONIC_USEC`, as systemd's reload protocol asks; follow with `ready()`.
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        send(["RELOADING=1", "MONOTONIC_USEC=\(usec)", "STATUS=reloading configuration"])
    }

    private func send(_ assignments: [String]) {
        // Newlines inside a value would start a new assignment.
        let text = assignments.map { String($0.map { $0 == "\n" ? " " : $0 }) }.joined(separator: "\n")
        _ = sd_notify(0, text)
    }
}
