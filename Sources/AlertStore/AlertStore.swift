#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RationCore

/// The alert ring store: a write-ahead segment of CRC-checked records, sealed into
/// zstd-compressed segments with a footer index once it reaches a size or age; the oldest
/// sealed segments are removed to stay within the disk budget.
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

    // MARK: Open and recover

    private func open(report: inout RecoveryReport) throws(AlertStoreError) {
        let existing = try layout.readSchema(supported: Self.schemaVersion)
        var sealedSeqs: [UInt64] = []
        var activeSeqs: [UInt64] = []
        for name in try StoreFile.list(layout.directory) {
            switch StoreLayout.classify(name) {
            case let .sealed(seq): sealedSeqs.append(seq)
            case let .active(seq): activeSeqs.append(seq)
            case .temporary:
                if !isReadOnly {
                    try StoreFile.unlink(layout.directory + "/" + name)
                    report.removedLeftovers.append(name)
                }
            case .other: break
            }
        }
        if existing == nil, !isReadOnly { try layout.writeSchema(Self.schemaVersion) }
        sealedSeqs.sort()
        activeSeqs.sort()
        let sealedSet = Set(sealedSeqs)
        // A write-ahead log whose sealed segment exists was sealed just before a crash.
        for seq in activeSeqs where sealedSet.contains(seq) {
            if !isReadOnly {
                try StoreFile.unlink(layout.activePath(seq))
                report.removedLeftovers.append(StoreLayout.activeName(seq))
            }
        }
        activeSeqs.removeAll { sealedSet.contains($0) }
        for seq in sealedSeqs {
            let path = layout.sealedPath(seq)
            let segment: SealedSegment
            do {
                segment = try SealedSegment.open(path: path, seq: seq, verify: configuration.verifyOnOpen, codec: codec)
            } catch {
                if case .newerSchema = error { throw error }
                report.damaged.append(DamagedRange(path: path, offset: 0, length: StoreFile.size(path) ?? 0,
                                                   reason: "unreadable segment: \(error)"))
                continue
            }
            report.damaged.append(contentsOf: segment.damaged)
            if segment.indexRebuilt { report.rebuiltIndexes.append(path) }
            adopt(segment)
        }
        nextID = max(nextID, (sealed.map(\.maxID).max() ?? 0) + 1)
        if sealed.isEmpty == false, let fnid = sealed.last?.firstNewID, fnid > nextID { nextID = fnid }
        let maxSealed = sealedSeqs.last ?? 0
        activeSeqs.removeAll { $0 < maxSealed }
        // Older unsealed logs (an interrupted seal chain) are sealed now; the newest stays active.
        for (i, seq) in activeSeqs.enumerated() {
            let isLast = i == activeSeqs.count - 1
            let recovery = try ActiveSegment.open(path: layout.activePath(seq), seq: seq, fallbackFirstNewID: nextID,
                                                  writable: !isReadOnly, now: now)
            let segment = recovery.segment
            if recovery.truncatedBytes > 0 {
                report.truncatedBytes += recovery.truncatedBytes
                report.truncatedPath = segment.path
                report.damaged.append(DamagedRange(path: segment.path, offset: recovery.validEnd, length: recovery.truncatedBytes,
                                                   reason: Self.tornTailReason))
            }
            report.damaged.append(contentsOf: recovery.damaged)
            if let maxActive = segment.entries.map(\.index.id).max() { nextID = max(nextID, maxActive + 1) }
            // Ids are never reused, even when the ring removed every sealed segment.
            nextID = max(nextID, segment.firstNewID)
            active = segment
            for entry in segment.latestEntries where entry.index.id < segment.firstNewID {
                newestHome[entry.index.id] = segment.seq
            }
            if !isReadOnly, !isLast || !recovery.damaged.isEmpty {
                try sealActive()
                if !recovery.damaged.isEmpty { report.resealed = true }
            }
        }
        guard !isReadOnly else { return }
        if active == nil {
            let seq = max(maxSealed, activeSeqs.last ?? 0) + 1
            active = try ActiveSegment.create(path: layout.activePath(seq), seq: seq, firstNewID: nextID, now: now)
        }
        rebuildAggregation()
        enforceRing()
    }

    func adopt(_ segment: SealedSegment) {
        sealed.append(segment)
        for id in segment.updatedIDs { newestHome[id] = segment.seq }
    }

    /// Refills the repeat-aggregation map from the alerts recent enough to be repeated: the
    /// newest sealed segments within the aggregation window, then the write-ahead segment.
    private func rebuildAggregation() {
        guard let active else { return }
        let newest = max(active.entries.map(\.index.lastSeen).max() ?? .min, sealed.last?.maxLast ?? .min)
        let horizon = newest == .min ? Int64.max : newest - configuration.aggregationWindow.microseconds
        for segment in sealed.suffix(4) where segment.maxLast >= horizon {
            for bi in segment.blocks.indices where segment.blocks[bi].maxLast >= horizon {
                guard let (raw, records) = try? segment.readBlock(bi, codec: codec) else { continue }
                for (h, payload) in records where h.lastSeen >= horizon && isVisible(h.id, in: segment.seq) {
                    if let stored = try? decodeStored(raw, payload, path: segment.path) { remember(stored) }
                }
            }
        }
        for entry in active.latestEntries {
            if let stored = try? decodeStored(active.data, entry.payload, path: active.path) {
                remember(stored)
            }
        }
    }

    func remember(_ stored: StoredAlert) {
        let signature = stored.alert.signature
        aggregation[signature] = stored
        if aggregation.count > Self.aggregationCapacity {
            // Drop the half whose last occurrence is oldest.
            let keep = aggregation.sorted { $0.value.alert.lastSeen > $1.value.alert.lastSeen }.prefix(Self.aggregationCapacity / 2)
            aggregation = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    func decodeStored(_ bytes: [UInt8], _ range: Range<Int>, path: String) throws(AlertStoreError) -> StoredAlert {
        let stored: StoredAlert
        do { stored = try AlertBinaryCodec.decode(bytes, range) } catch {
            switch error {
            case let .newerFormat(found):
                throw .newerSchema(path: path, found: found, supported: Int(AlertBinaryCodec.format))
            case .malformed:
                throw .encoding(path: path, detail: "malformed stored alert")
            }
        }
        guard stored.schema <= Self.schemaVersion else {
            throw .newerSchema(path: path, found: stored.schema, supported: Self.schemaVersion)
        }
        return stored
    }

    // MARK: Writing

    /// Stores an alert, or folds it into the alert with the same signature seen within the
    /// aggregation window. The store assigns ids (`alert.id` is ignored). Returns the id it
    /// is stored under once it is in the write-ahead segment and synced as the policy
    /// requires (see `SyncPolicy`); call `sync()` before saving a source checkpoint when the
    /// policy is batched.
    @discardableResult
    public func append(_ alert: Alert) throws(AlertStoreError) -> AlertID {
        lock.lock()
        defer { lock.unlock() }
        let active = try writableActive()
        let signature = alert.signature
        let window = configuration.aggregationWindow.microseconds
        var stored: StoredAlert
        var isNew = false
        if var existing = aggregation[signature],
           alert.firstSeen.microsecondsSinceEpoch <= existing.alert.lastSeen.microsecondsSinceEpoch + window,
           alert.lastSeen.microsecondsSinceEpoch + window >= existing.alert.firstSeen.microsecondsSinceEpoch {
            existing.alert.lastSeen = max(existing.alert.lastSeen, alert.lastSeen)
            existing.alert.count += alert.count
            existing.histogram.record(alert.firstSeen, count: alert.count)
            if case .skipped = existing.alert.verdict.status, alert.verdict.status != existing.alert.verdict.status {
                existing.alert.verdict = alert.verdict
            }
            if alert.suspicion.score > existing.alert.suspicion.score { existing.alert.suspicion = alert.suspicion }
            stored = existing
        } else {
            var fresh = alert
            fresh.id = AlertID(nextID)
            stored = StoredAlert(alert: fresh)
            isNew = true
        }
        try write(stored, to: active)
        if isNew { nextID += 1 }
        remember(stored)
        try syncIfRequired(stored, active: active)
        maintainLocked()
        return stored.alert.id
    }

    /// Sets (or replaces) the operator's label on a stored alert.
    public func label(id: AlertID, _ label: OperatorLabel) throws(AlertStoreError) {
        lock.lock()
        defer { lock.unlock() }
        let active = try writableActive()
        guard var stored = try storedLocked(id: id) else { throw .notFound(id) }
        stored.alert.operatorLabel = label
        try write(stored, to: active)
        if aggregation[stored.alert.signature]?.alert.id == id { remember(stored) }
        try syncIfRequired(stored, active: active)
        maintainLocked()
    }

    /// Forces every appended alert to disk (before a source checkpoint is saved).
    public func sync() throws(AlertStoreError) {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw .closed(directory: layout.directory) }
        try active?.sync(now: now)
    }

    /// Periodic upkeep for the owner's timer: syncs when the batch interval passed, seals an
    /// old write-ahead segment, removes expired segments.
    public func maintain() {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, !isReadOnly, let active else { return }
        if active.unsynced > 0, now - active.lastSync >= configuration.syncPolicy.interval.microseconds {
            do { try active.sync(now: now) } catch { note(error) }
        }
        maintainLocked()
    }

    private func writableActive() throws(AlertStoreError) -> ActiveSegment {
        guard !isClosed else { throw .closed(directory: layout.directory) }
        guard !isReadOnly, let active else { throw .readOnly(directory: layout.directory) }
        return active
    }

    private func write(_ stored: StoredAlert, to active: ActiveSegment) throws(AlertStoreError) {
        let (index, body, payload) = RecordIndex.encodeBody(stored)
        do {
            try active.append(body: body, index: index, payload: payload)
        } catch {
            if case let .diskFull(path) = error, diskFull == nil {
                diskFull = "\(path): no space left on device since \(EventTime(microsecondsSinceEpoch: now).secondsSinceEpoch)"
                configuration.eventHandler?(.diskFull(diskFull!))
            }
            note(error)
            throw error
        }
        if diskFull != nil {
            diskFull = nil
            configuration.eventHandler?(.diskSpaceAvailable(active.path))
        }
        if index.id < active.firstNewID { newestHome[index.id] = active.seq }
        publish(stored, index: index)
    }

    private func syncIfRequired(_ stored: StoredAlert, active: ActiveSegment) throws(AlertStoreError) {
        let policy = configuration.syncPolicy
        var immediate = active.unsynced >= policy.count || now - active.lastSync >= policy.interval.microseconds
        if let p = policy.immediatePriority, let priority = stored.priority, priority <= p { immediate = true }
        if policy.immediateOnAbnormal, stored.alert.verdict.label == .abnormal { immediate = true }
        if immediate {
            do { try active.sync(now: now) } catch {
                note(error)
                throw error
            }
        }
    }

    func note(_ error: AlertStoreError) {
        lastError = error.description
        configuration.eventHandler?(.failed(error.description))
    }

    /// Seals the write-ahead segment when it is full or old, then applies the ring caps.
    /// Failures are recorded in `status` and retried on the next call; they never undo an
    /// acknowledged append.
    func maintainLocked() {
        guard let active, !isReadOnly else { return }
        let full = active.byteCount >= configuration.segmentMaxBytes
        let old = !active.entries.isEmpty && now - active.createdAt >= configuration.segmentMaxAge.microseconds
        if full || old {
            do { try sealActive() } catch {
                if case .diskFull = error, diskFull == nil {
                    diskFull = "\(error)"
                    configuration.eventHandler?(.diskFull(diskFull!))
                }
                note(error)
            }
        }
        enforceRing()
    }

    /// Writes the write-ahead segment's newest versions as a sealed segment, durably, then
    /// starts a new write-ahead segment and deletes the old one. A crash at any point leaves
    /// either the old log (sealed again on recovery) or the sealed segment.
    func sealActive() throws(AlertStoreError) {
        guard let current = active else { return }
        try current.sync(now: now)
        // Records are grouped by unit (or source) and ordered by time inside a group, so the
        // alerts of one unit share a few blocks: "newest for unit X" then decompresses those
        // blocks only, and similar records compress better side by side.
        let entries = current.latestEntries.sorted {
            let a = $0.index.units.first ?? $0.index.source, b = $1.index.units.first ?? $1.index.source
            return a != b ? a < b : ($0.index.lastSeen, $0.index.id) < ($1.index.lastSeen, $1.index.id)
        }
        let path = layout.sealedPath(current.seq)
        if !entries.isEmpty {
            let records = entries.map { ($0.index, current.data[$0.body]) }
            let (segment, bytes) = try SealedSegment.build(path: path, seq: current.seq, firstNewID: current.firstNewID,
                                                           records: records, blockMaxBytes: configuration.blockMaxBytes,
                                                           codec: codec)
            try StoreFile.writeDurably(bytes, to: path)
            let next: ActiveSegment
            do {
                next = try ActiveSegment.create(path: layout.activePath(current.seq + 1), seq: current.seq + 1,
                                                firstNewID: nextID, now: now)
            } catch {
                // Keep the log authoritative: without a successor it must not look sealed.
                try? StoreFile.unlink(path)
                throw error
            }
            current.close()
            try StoreFile.unlink(current.path)
            try StoreFile.syncDirectory(layout.directory)
            adopt(segment)
            active = next
            configuration.eventHandler?(.sealed(segment: path, alerts: segment.alertCount, bytes: segment.fileBytes))
        } else {
            let next = try ActiveSegment.create(path: layout.activePath(current.seq + 1), seq: current.seq + 1,
                                                firstNewID: nextID, now: now)
            current.close()
            try StoreFile.unlink(current.path)
            try StoreFile.syncDirectory(layout.directory)
            active = next
        }
    }

    /// Removes oldest sealed segments while the store is over its byte budget (keeping room
    /// for a full write-ahead segment) or their newest alert is past `maxAge`.
    func enforceRing() {
        let budget = configuration.totalMaxBytes - configuration.segmentMaxBytes
        var sealedBytes = sealed.reduce(0) { $0 + $1.fileBytes }
        let cutoff = configuration.maxAge.map { now - $0.microseconds }
        while let oldest = sealed.first {
            let reason: String
            if sealedBytes > budget {
                reason = "over the \(configuration.totalMaxBytes)-byte budget"
            } else if let cutoff, oldest.maxLast < cutoff {
                reason = "older than the maximum age"
            } else {
                break
            }
            do {
                try StoreFile.unlink(oldest.path)
                try StoreFile.syncDirectory(layout.directory)
            } catch {
                note(error)
                return
            }
            sealed.removeFirst()
            sealedBytes -= oldest.fileBytes
            removedSegments += 1
            removedAlerts += oldest.alertCount
            newestHome = newestHome.filter { $0.value != oldest.seq }
            configuration.eventHandler?(.removed(segment: oldest.path, alerts: oldest.alertCount, bytes: oldest.fileBytes,
                                                 reason: reason))
        }
    }

    // MARK: Following

    /// New and updated alerts matching `query` (its limit is ignored), as they are stored.
    /// Buffers the newest 256 for a slow reader.
    public func follow(_ query: AlertQuery = AlertQuery()) -> AsyncStream<Alert> {
        let (stream, continuation) = AsyncStream<Alert>.makeStream(bufferingPolicy: .bufferingNewest(256))
        lock.lock()
        let id = nextFollowerID
        nextFollowerID += 1
        if isClosed {
            continuation.finish()
        } else {
            followers[id] = (query, continuation)
        }
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.followers[id] = nil
            self.lock.unlock()
        }
        return stream
    }

    private func publish(_ stored: StoredAlert, index: RecordIndex) {
        for follower in followers.values where follower.query.matches(index) && follower.query.matchesText(stored) {
            follower.continuation.yield(stored.alert)
        }
    }

    // MARK: Status

    public var status: AlertStoreStatus {
        lock.lock()
        defer { lock.unlock() }
        let activeBytes = active?.byteCount ?? 0
        let activeNew = active.map { a in a.latest.keys.filter { $0 >= a.firstNewID }.count } ?? 0
        let sealedAlerts = sealed.reduce(0) { $0 + $1.alertCount - $1.updatedIDs.count }
        let firsts = sealed.map(\.minFirst) + (active?.entries.map(\.index.firstSeen) ?? [])
        let lasts = sealed.map(\.maxLast) + (active?.entries.map(\.index.lastSeen) ?? [])
        return AlertStoreStatus(
            directory: layout.directory,
            bytesUsed: sealed.reduce(0) { $0 + $1.fileBytes } + activeBytes,
            sealedSegments: sealed.count,
            activeSegmentBytes: activeBytes,
            alerts: sealedAlerts + activeNew,
            removedSegments: removedSegments,
            removedAlerts: removedAlerts,
            corruptRangesSkipped: damaged.count,
            damaged: damaged,
            diskFull: diskFull,
            lastError: lastError,
            unsyncedRecords: active?.unsynced ?? 0,
            oldest: firsts.min().map { EventTime(microsecondsSinceEpoch: $0) },
            newest: lasts.max().map { EventTime(microsecondsSinceEpoch: $0) },
            oldestRetainedID: AlertID(sealed.first?.firstNewID ?? active?.firstNewID ?? nextID),
            nextID: AlertID(nextID),
            readOnly: isReadOnly)
    }
}
