import RationCore

/// When appended alerts reach the disk. An alert is acknowledged once it is in the
/// write-ahead segment; it is durable against power loss once synced.
public struct SyncPolicy: Sendable, Hashable {
    /// Sync when this much time has passed since the last sync (checked on each append and by `syncIfDue()`).
    public var interval: Duration
    /// Sync when this many records are unsynced.
    public var count: Int
    /// Alerts whose most severe event is at or above this priority are synced before `append` returns.
    public var immediatePriority: Priority?
    /// Alerts with an abnormal verdict are synced before `append` returns.
    public var immediateOnAbnormal: Bool

    public init(interval: Duration = .seconds(1), count: Int = 64, immediatePriority: Priority? = .crit,
                immediateOnAbnormal: Bool = true) {
        self.interval = interval
        self.count = count
        self.immediatePriority = immediatePriority
        self.immediateOnAbnormal = immediateOnAbnormal
    }

    /// Every append is synced before it returns.
    public static let always = SyncPolicy(interval: .zero, count: 1)
    /// Batched: at most one second or 64 records at risk on power loss; crit and abnormal at once.
    public static let batched = SyncPolicy()
}

/// How the store lays out, syncs, caps and aggregates alerts.
public struct AlertStoreConfiguration: Sendable {
    /// The store directory (`/var/lib/rationd/alerts`).
    public var directory: String
    /// The write-ahead segment is sealed (compressed, indexed) once it holds this many bytes…
    public var segmentMaxBytes: Int
    /// …or once it is this old.
    public var segmentMaxAge: Duration
    /// Disk budget for the whole store; oldest sealed segments are removed to stay under it
    /// (what `quota` keeps of them is carried forward).
    public var totalMaxBytes: Int
    /// Sealed segments whose newest alert is older than this are removed (nil: keep by size only).
    public var maxAge: Duration?
    /// What the full ring keeps of the segment it removes; nil: nothing (the oldest segment goes whole).
    public var quota: StoreQuota?
    public var syncPolicy: SyncPolicy
    /// A repeat of the same signature within this time of its last occurrence updates the
    /// existing alert (count, last seen, histogram) instead of adding one.
    public var aggregationWindow: Duration
    /// Uncompressed size of one compressed block in a sealed segment.
    public var blockMaxBytes: Int
    /// zstd level for sealed blocks.
    public var compressionLevel: Int32
    /// Check every sealed block's CRC when opening, so damage is reported up front.
    public var verifyOnOpen: Bool
    /// Wall clock for segment and retention ages (microseconds since the epoch).
    public var clock: @Sendable () -> EventTime
    /// Receives seals, removals, damage and disk-full transitions (for the daemon's log).
    public var eventHandler: (@Sendable (AlertStoreEvent) -> Void)?

    public init(directory: String, segmentMaxBytes: Int = 8 << 20, segmentMaxAge: Duration = .seconds(3600),
                totalMaxBytes: Int = 1 << 30, maxAge: Duration? = nil, quota: StoreQuota? = StoreQuota(),
                syncPolicy: SyncPolicy = .batched,
                aggregationWindow: Duration = .seconds(600), blockMaxBytes: Int = 256 << 10,
                compressionLevel: Int32 = 3, verifyOnOpen: Bool = true,
                clock: @escaping @Sendable () -> EventTime = WallClock.now,
                eventHandler: (@Sendable (AlertStoreEvent) -> Void)? = nil) {
        self.directory = directory
        self.segmentMaxBytes = segmentMaxBytes
        self.segmentMaxAge = segmentMaxAge
        self.totalMaxBytes = totalMaxBytes
        self.maxAge = maxAge
        self.quota = quota
        self.syncPolicy = syncPolicy
        self.aggregationWindow = aggregationWindow
        self.blockMaxBytes = blockMaxBytes
        self.compressionLevel = compressionLevel
        self.verifyOnOpen = verifyOnOpen
        self.clock = clock
        self.eventHandler = eventHandler
    }

    func validate() throws(AlertStoreError) {
        guard !directory.isEmpty else { throw .invalidConfiguration("directory is empty") }
        guard segmentMaxBytes >= 4096 else { throw .invalidConfiguration("segmentMaxBytes \(segmentMaxBytes) < 4096") }
        guard totalMaxBytes >= 2 * segmentMaxBytes else {
            throw .invalidConfiguration("totalMaxBytes \(totalMaxBytes) must be at least twice segmentMaxBytes \(segmentMaxBytes)")
        }
        guard blockMaxBytes >= 1024, blockMaxBytes <= 4 << 20 else {
            throw .invalidConfiguration("blockMaxBytes \(blockMaxBytes) outside 1 KiB…4 MiB")
        }
        guard syncPolicy.count >= 1 else { throw .invalidConfiguration("syncPolicy.count must be >= 1") }
        try quota?.validate()
    }
}

/// What the store tells its owner's log.
public enum AlertStoreEvent: Sendable, CustomStringConvertible {
    case sealed(segment: String, alerts: Int, bytes: Int)
    case removed(segment: String, alerts: Int, bytes: Int, reason: String)
    case damaged(DamagedRange)
    case recovered(RecoveryReport)
    case diskFull(String)
    case diskSpaceAvailable(String)
    case failed(String)

    public var description: String {
        switch self {
        case let .sealed(segment, alerts, bytes): "sealed \(segment): \(alerts) alerts, \(bytes) bytes"
        case let .removed(segment, alerts, bytes, reason): "removed \(segment) (\(reason)): \(alerts) alerts, \(bytes) bytes"
        case let .damaged(range): "damaged: \(range)"
        case let .recovered(report): "recovered: \(report)"
        case let .diskFull(detail): "disk full: \(detail)"
        case let .diskSpaceAvailable(path): "writes resumed: \(path)"
        case let .failed(detail): "error: \(detail)"
        }
    }
}

/// The system wall clock.
public enum WallClock {
    @Sendable public static func now() -> EventTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EventTime(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }
}

#if canImport(Glibc)
import Glibc
#endif
