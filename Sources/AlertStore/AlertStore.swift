#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RationCore

/// The alert ring store: a write-ahead segment of CRC-checked records, sealed into
/// zstd-compressed segments with a footer index once it reaches a size or age; the oldest
/// sealed segment is removed to stay within the disk budget, carrying forward the alerts the
/// quotas keep (`StoreQuota`).
///
/// Thread-safe: every operation runs under one internal lock. One writer per directory
/// (an exclusive `flock`); any number of read-only openers (`rationd alerts`).
public final class AlertStore: @unchecked Sendable {
    /// Store schema this build writes and reads (FORMAT file, segment formats, envelopes).
    public static let schemaVersion = 1
    /// The reason given for a cut write-ahead tail: a record whose write never completed
    /// (or whose last bytes were damaged); it was never acknowledged unless it was damaged later.
    public static let tornTailReason = "torn tail: incomplete or corrupt last record(s) cut"
    static let aggregationCapacity = 4096

    public let configuration: AlertStoreConfiguration
    public let isReadOnly: Bool
    /// What opening the store found and repaired.
    public private(set) var recoveryReport = RecoveryReport()

    let lock = NSLock()
    let layout: StoreLayout
    let codec: ZstdBlockCodec
    var lockFD: Int32 = -1
    var sealed: [SealedSegment] = []
    var active: ActiveSegment?
    /// For alerts with versions in more than one segment: the segment holding the newest.
    var newestHome: [UInt64: UInt64] = [:]
    var nextID: UInt64 = 1
    var aggregation: [AlertSignature: StoredAlert] = [:]
    var removedSegments = 0
    var removedAlerts = 0
    /// Alert records removed by the ring since open, per source.
    var removedBySource: [String: Int] = [:]
    /// Alerts the quotas carried forward instead of removing, since open.
    var carriedAlerts = 0
    var damaged: [DamagedRange] = []
    var diskFull: String?
    var lastError: String?
    var followers: [Int: (query: AlertQuery, continuation: AsyncStream<Alert>.Continuation)] = [:]
    var nextFollowerID = 0
    var isClosed = false

    /// Opens (creating when missing) the store, recovering from a crash: temp files and
    /// already-sealed write-ahead logs are removed, the write-ahead segment is scanned to its
    /// last valid record and a torn tail is cut. See `recoveryReport`.
    public convenience init(configuration: AlertStoreConfiguration) throws(AlertStoreError) {
        try self.init(configuration: configuration, readOnly: false)
    }

    /// Opens the store for reading only: nothing is written, locked or repaired, so it works
    /// while the daemon runs or on a copy of the directory. Without `verify`, sealed blocks
    /// are checked when a query reads them rather than all up front (a faster open).
    public static func openReadOnly(directory: String, verify: Bool = true) throws(AlertStoreError) -> AlertStore {
        try AlertStore(configuration: AlertStoreConfiguration(directory: directory, verifyOnOpen: verify), readOnly: true)
    }

    public init(configuration: AlertStoreConfiguration, readOnly: Bool) throws(AlertStoreError) {
        try configuration.validate()
        self.configuration = configuration
        self.isReadOnly = readOnly
        self.layout = StoreLayout(directory: configuration.directory)
        self.codec = ZstdBlockCodec(level: configuration.compressionLevel)
        var report = RecoveryReport()
        if readOnly {
            guard StoreFile.size(configuration.directory) != nil else {
                throw .io(path: configuration.directory, operation: "open store directory", errno: ENOENT)
            }
        } else {
            do { try DurableFile.makeDirectories(configuration.directory) } catch {
                throw .fromErrno(error.path, error.operation, error.errno)
            }
            lockFD = try layout.lock()
        }
        do {
            try open(report: &report)
        } catch {
            if lockFD >= 0 { Glibc.close(lockFD) }
            lockFD = -1
            throw error
        }
        recoveryReport = report
        damaged = report.damaged
        if !report.isClean || report.resealed || !report.removedLeftovers.isEmpty {
            configuration.eventHandler?(.recovered(report))
        }
    }

    deinit {
        active?.close()
        if lockFD >= 0 { Glibc.close(lockFD) }
        for f in followers.values { f.continuation.finish() }
    }

    /// Syncs, closes the files and releases the writer lock. Further calls fail with `.closed`.
    public func close() {
        lock.lock()
        guard !isClosed else {
            lock.unlock()
            return
        }
        try? active?.sync(now: now)
        active?.close()
        if lockFD >= 0 { Glibc.close(lockFD) }
        lockFD = -1
        isClosed = true
        let streams = followers.values.map(\.continuation)
        followers = [:]
        lock.unlock()
        // Outside the lock: finishing runs the streams' termination handlers, which take it.
        for stream in streams { stream.finish() }
    }

    var now: Int64 { configuration.clock().microsecondsSinceEpoch }
}
