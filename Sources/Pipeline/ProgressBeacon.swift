import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// When a stage last showed it moves (a source finished a read attempt, the stage task handled
/// an event), for the systemd watchdog: pings stop while a stage is silent, so a stage stuck
/// in a read or a loop gets the daemon restarted. A beat is one relaxed atomic store, cheap
/// enough for every batch.
final class ProgressBeacon: Sendable {
    private let last = Atomic<UInt64>(ProgressBeacon.now())

    func beat() { last.store(Self.now(), ordering: .relaxed) }

    /// How long since the last beat.
    var silence: Duration {
        let now = Self.now(), then = last.load(ordering: .relaxed)
        return .nanoseconds(Int64(now > then ? now - then : 0))
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
