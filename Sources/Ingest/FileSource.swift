#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Follows files matched by globs through rotation (rename/create, copytruncate,
/// delaycompress), deletion, inode reuse and restarts, delivering one record per line (or per
/// merged multi-line record). inotify on the files' directories wakes it; a poll every
/// `pollInterval` covers network filesystems, inotify limits and lost events.
///
/// Delivery is at least once: a record's checkpoint (set on the last record of each file in
/// each read pass) is acknowledged by the consumer once durable, and `checkpointState()` then
/// gives what to persist. Owned by one thread.
public final class FileSource: LogSource {
    public let id: SourceID
    public let configuration: FileSourceConfiguration

    let matcher: FilePathMatcher
    let inotify: Inotify?
    let mergerTemplate: MultilineMerger?
    let rotateWaitNs: UInt64
    let pollNs: UInt64
    let partialNs: UInt64
    let expireNs: UInt64

    /// The file open at each followed path.
    var current: [String: FollowedFile] = [:]
    /// Rotated, deleted or copied files still being read; always read before `current`.
    var draining: [FollowedFile] = []
    /// Every content stream known, by the identity of the file now holding it.
    var streams: [FileIdentity: FileStreamCheckpoint] = [:]
    /// Followed paths of the loaded state (their rotated files are searched on first sight).
    var pathsWithHistory: Set<String>
    /// Files found by the first scan start at their end (`startAt = .end`, no saved state).
    var skipExistingContent: Bool
    /// Followed paths handled since start.
    var seenPaths: Set<String> = []
    /// Paths whose open failure was already reported.
    var reportedFailures: Set<String> = []
    var notices: [String] = []
    /// Streams dropped since `takeForgottenStreams`.
    var forgotten: [Checkpoint] = []

    private var pendingAcks: [(checkpoint: Checkpoint, stream: FileStreamCheckpoint)] = []
    private var ackHead = 0
    private var ready: [LogRecord] = []
    /// Bytes per read at most (`readChunkBytes`).
    private let chunkBytes: Int
    /// Running average of bytes per delivered line, to size reads to the records wanted.
    private var averageLineBytes = 128
    var needsScan = true
    private var nextScanAt: UInt64 = 0
    private var recordTime = EventTime.zero

    /// - Parameter state: what `checkpointState()` returned before a restart; nil on first start.
    public convenience init(configuration: FileSourceConfiguration, state: FileSourceState? = nil) throws(IngestError) {
        try self.init(configuration: configuration, state: state, useInotify: true)
    }

    /// `useInotify: false` runs on polling alone, as on filesystems inotify cannot watch.
    init(configuration: FileSourceConfiguration, state: FileSourceState?, useInotify: Bool) throws(IngestError) {
        try configuration.validate()
        self.id = configuration.id
        self.configuration = configuration
        self.matcher = FilePathMatcher(include: configuration.include, exclude: configuration.exclude)
        self.mergerTemplate = try configuration.multiline.map { rule throws(IngestError) in
            try MultilineMerger(rule, key: "sources.\(configuration.id.rawValue).multiline.start_pattern")
        }
        self.rotateWaitNs = Self.nanoseconds(configuration.rotateWait)
        self.pollNs = Self.nanoseconds(configuration.pollInterval)
        self.partialNs = Self.nanoseconds(configuration.partialLineTimeout)
        self.expireNs = Self.nanoseconds(configuration.expireAfter)
        self.chunkBytes = configuration.readChunkBytes
        var paths = Set<String>()
        if let state {
            guard state.source == configuration.id else {
                throw .checkpoint(path: state.source.rawValue,
                                  reason: "state belongs to source '\(state.source)', not '\(configuration.id)'")
            }
            for entry in state.files {
                let stream = FileStreamCheckpoint(position: entry.position, lastSeen: entry.lastSeen)
                streams[stream.identity] = stream
                paths.insert(entry.position.path)
            }
        }
        self.pathsWithHistory = paths
        self.skipExistingContent = configuration.startAt == .end && state == nil
        self.inotify = useInotify ? Inotify() : nil
        if useInotify && inotify == nil { note("inotify unavailable (\(String(cString: strerror(errno)))); polling every \(configuration.pollInterval)") }
    }

    // MARK: LogSource

    public func nextBatch(maxRecords: Int, timeout: Duration) throws(IngestError) -> [LogRecord] {
        let limit = max(1, maxRecords)
        let deadline = Self.monotonicNow() &+ Self.nanoseconds(timeout)
        while true {
            let now = Self.monotonicNow()
            recordTime = Self.realtimeNow()
            if let inotify, inotify.drain().structural { needsScan = true }
            if needsScan || now >= nextScanAt {
                scan(now: now)
                nextScanAt = now &+ pollNs
                needsScan = false
            }
            checkRotations(now: now)
            fill(limit: limit, now: now)
            fireTimers(now: now)
            if readyCount > 0 { return takeReady(limit) }
            let now2 = Self.monotonicNow()
            if now2 >= deadline { return [] }
            var wakeAt = min(deadline, nextScanAt)
            if let timer = nextTimer() { wakeAt = min(wakeAt, timer) }
            if wakeAt > now2 {
                let ms = Int32(min(UInt64(Int32.max), (wakeAt - now2 + 999_999) / 1_000_000))
                if let inotify { inotify.wait(milliseconds: ms) } else { Self.sleep(nanoseconds: wakeAt - now2) }
            }
        }
    }

    /// Marks everything up to `checkpoint` (and every checkpoint handed out before it) durable.
    public func acknowledge(_ checkpoint: Checkpoint) {
        guard let index = pendingAcks[ackHead...].firstIndex(where: { $0.checkpoint == checkpoint }) else { return }
        for i in ackHead...index {
            if case let .file(position) = pendingAcks[i].checkpoint.position {
                pendingAcks[i].stream.acknowledge(position)
            }
        }
        ackHead = index + 1
        if ackHead > 256 && ackHead * 2 > pendingAcks.count {
            pendingAcks.removeFirst(ackHead)
            ackHead = 0
        }
    }

    /// The acknowledged position of every known file, to persist (atomically) after acknowledging.
    public func checkpointState() -> FileSourceState {
        let files = streams.values
            .map { FileSourceState.Entry(position: $0.position, lastSeen: $0.lastSeen) }
            .sorted { ($0.position.path, $0.position.inode) < ($1.position.path, $1.position.inode) }
        return FileSourceState(source: id, files: files)
    }

    /// Problems met since the last call (unreadable files, data lost to copytruncate), for the log.
    public func takeNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    public func takeForgottenStreams() -> [Checkpoint] {
        defer { forgotten = [] }
        return forgotten
    }

    /// Files currently open (followed or draining).
    public var openFileCount: Int { current.count + draining.count }

    /// Paths currently followed.
    public var followedPaths: [String] { current.keys.sorted() }

    // MARK: Reading

    private var readyCount: Int { ready.count }

    /// The first `limit` ready records; the rest (at most one chunk's lines) stay queued.
    private func takeReady(_ limit: Int) -> [LogRecord] {
        if ready.count <= limit {
            defer {
                ready = []
                // Room for a full batch plus the lines of one more chunk: no regrowth.
                ready.reserveCapacity(limit * 2)
            }
            return ready
        }
        // Keep the (smaller) remainder aside, in an array with room for the next batch (an
        // array grown by appends would copy every record on each regrowth), and hand out the
        // array itself.
        var rest: [LogRecord] = []
        rest.reserveCapacity(limit * 2)
        rest.append(contentsOf: ready[limit...])
        ready.removeLast(ready.count - limit)
        defer { ready = rest }
        return ready
    }

    /// Reads draining files first (older content), then followed ones, until all are at
    /// their end or `limit` records wait.
    private func fill(limit: Int, now: UInt64) {
        // Followed files are checked even when the draining ones fill the batch: one copied
        // and truncated again before it was read would otherwise lose its copy's content.
        for path in current.keys.sorted() {
            // Rewritten in place (copytruncate): the copy, now draining, goes first.
            if let file = current[path], !checkInPlace(file, now: now) { return fill(limit: limit, now: now) }
        }
        var index = 0
        while index < draining.count {
            if readyCount >= limit { return }
            read(draining[index], limit: limit, now: now)
            index += 1
        }
        for path in current.keys.sorted() {
            if readyCount >= limit { return }
            guard let file = current[path] else { continue }
            if !checkInPlace(file, now: now) {
                fill(limit: limit, now: now)
                return
            }
            if !read(file, limit: limit, now: now).inPlace {
                handleTruncation(of: file, size: file.size() ?? 0, now: now)
                fill(limit: limit, now: now)
                return
            }
        }
    }

    /// False when the followed file was truncated or rewritten; then handled. Before the
    /// first byte is read, the head seen so far stands for the content (`peekHead`).
    private func checkInPlace(_ file: FollowedFile, now: UInt64) -> Bool {
        guard let size = file.size() else { return true }
        let offset = file.readOffset
        let head = UInt64(file.headLength)
        if size < offset
            || (offset > 0 && !FileFingerprint.bytesEqual(fd: file.fd, endingAt: offset, expected: file.recentBytes(64)))
            || (offset == 0 && head > 0 && (size < head || !FileFingerprint.bytesEqual(fd: file.fd, endingAt: head, expected: file.head)))
        {
            handleTruncation(of: file, size: size, now: now)
            return false
        }
        if offset == 0 { file.peekHead() }
        return true
    }

    /// Reads `file` until `limit` records wait or it is at its end. `inPlace` false: a followed
    /// file was truncated or rewritten between the check before the read and the read itself
    /// (the bytes before the read offset changed); the chunk read is dropped, unconsumed.
    @discardableResult
    func read(_ file: FollowedFile, limit: Int, now: UInt64) -> (progressed: Bool, inPlace: Bool) {
        var progressed = false
        while readyCount < limit {
            // Read about as many bytes as the missing records need, so that little is left
            // over to carry into the next batch.
            let averageLine = max(16, averageLineBytes)
            let chunk = min(chunkBytes, max(4096, (limit - readyCount + 1) * averageLine))
            var n = 0
            // A buffer of its own per read: the chunk's records slice it instead of copying
            // each line, and it is freed with the last of them.
            var buffer = [UInt8](unsafeUninitializedCapacity: chunk) { raw, initialized in
                n = pread(file.fd, raw.baseAddress!, chunk, off_t(file.readOffset))
                initialized = max(0, n)
            }
            if n < 0 {
                if errno == EINTR { continue }
                note("\(file.path): read failed: \(String(cString: strerror(errno))); will retry")
                break
            }
            if n == 0 {
                file.atEnd = true
                break
            }
            if file.drain == .following, !Self.stillInPlace(file, chunk: buffer, count: n) {
                attachCheckpoint(file)
                return (progressed, false)
            }
            // A short read of a growing file would otherwise keep a mostly empty buffer alive
            // while its few records are downstream.
            if n < chunk / 4 { buffer = Self.compacted(buffer) }
            progressed = true
            file.atEnd = false
            file.lastGrowthAt = now
            let chunkBuffer = buffer
            chunkBuffer.withUnsafeBytes { bytes in
                file.consumed(bytes, at: file.readOffset)
                if file.merger == nil {
                    // Hot path: records built straight into a local array (no per-line
                    // access to this object's or the file's stored properties).
                    var out = ready
                    let before = out.count
                    ready = []
                    // Each record starts as a copy of this one (its empty message retains
                    // nothing), then takes its message: constructing each record afresh
                    // copied and destroyed a temporary per line.
                    let record = LogRecord(time: recordTime, source: id, message: [], fields: file.recordFields)
                    let base = bytes.baseAddress!
                    let chunkEnd = base + bytes.count
                    var lastEnd: UInt64?
                    file.splitter.feedBytes(bytes) { line, end, truncated in
                        // A line inside the chunk is a slice of it; one the splitter held
                        // across reads (or split at the cap from held bytes) is copied.
                        out.append(record)
                        if let start = line.baseAddress, start >= base, start < chunkEnd {
                            let lo = base.distance(to: start)
                            out[out.count - 1].message = chunkBuffer[lo..<(lo + line.count)]
                        } else {
                            out[out.count - 1].message = Array(line)[...]
                        }
                        if truncated { out[out.count - 1].fields.truncated = true }
                        lastEnd = end
                    }
                    let produced = out.count - before
                    ready = out
                    if produced > 0 { averageLineBytes = (averageLineBytes * 3 + n / produced) / 4 }
                    if let lastEnd { file.uncheckpointedEnd = lastEnd }
                } else {
                    file.splitter.feed(bytes) { line in self.deliver(line, from: file, now: now) }
                }
            }
        }
        attachCheckpoint(file)
        return (progressed, true)
    }

    /// Whether a chunk just read at `file.readOffset` continues what was read before: the
    /// bytes before the offset are still those read (at offset 0: the chunk starts with the
    /// head seen before). A copytruncate between the check and the read fails this, so new
    /// content is never taken for the continuation of the old.
    private static func stillInPlace(_ file: FollowedFile, chunk: [UInt8], count: Int) -> Bool {
        let offset = file.readOffset
        if offset > 0 { return FileFingerprint.bytesEqual(fd: file.fd, endingAt: offset, expected: file.recentBytes(64)) }
        let head = file.head
        return count >= head.count && chunk[0..<head.count].elementsEqual(head)
    }

    func deliver(_ line: LineSplitter.Line, from file: FollowedFile, now: UInt64) {
        if file.merger != nil {
            file.merger!.push(line, now: now) { merged in emit(merged, from: file) }
        } else {
            emit(line, from: file)
        }
    }

    private func emit(_ line: LineSplitter.Line, from file: FollowedFile) {
        var fields = file.recordFields
        fields.truncated = line.truncated
        ready.append(LogRecord(time: recordTime, source: id, message: line.bytes, fields: fields))
        file.uncheckpointedEnd = line.endOffset
    }

    /// Sets the checkpoint of the last record delivered from `file` (it is the last in `ready`).
    func attachCheckpoint(_ file: FollowedFile) {
        guard let end = file.uncheckpointedEnd, readyCount > 0 else { return }
        file.uncheckpointedEnd = nil
        let tail = file.tailHash(endingAt: end, maxBytes: configuration.tailHashBytes)
        let position = FilePosition(path: file.path, device: file.identity.device, inode: file.identity.inode,
                                    headFingerprint: file.headHash, fingerprintLength: file.headLength,
                                    offset: end, tailHash: tail.hash, tailHashLength: tail.length)
        let checkpoint = Checkpoint(source: id, position: .file(position))
        ready[ready.count - 1].checkpoint = checkpoint
        pendingAcks.append((checkpoint, file.stream))
    }

    // MARK: Timers

    private func fireTimers(now: UInt64) {
        for file in draining + current.values {
            if file.atEnd && file.splitter.pendingBytes > 0 && now &- file.lastGrowthAt >= partialNs,
               let line = file.splitter.flush()
            {
                deliver(line, from: file, now: now)
            }
            if let merged = file.merger?.flush(now: now) {
                emit(merged, from: file)
            }
            attachCheckpoint(file)
        }
        draining.removeAll { file in
            guard file.atEnd, file.drain == .toEnd || now &- file.lastGrowthAt >= rotateWaitNs else { return false }
            finish(file, now: now)
            return true
        }
    }

    /// Delivers what a file still holds (unfinished line, pending multi-line record).
    func finish(_ file: FollowedFile, now: UInt64) {
        if let line = file.splitter.flush() { deliver(line, from: file, now: now) }
        if let merged = file.merger?.flush() { emit(merged, from: file) }
        attachCheckpoint(file)
    }

    private func nextTimer() -> UInt64? {
        var earliest: UInt64?
        func consider(_ t: UInt64) { earliest = min(earliest ?? t, t) }
        for file in draining {
            if file.atEnd { consider(file.drain == .toEnd ? 0 : file.lastGrowthAt &+ rotateWaitNs) }
        }
        for file in draining + current.values {
            if file.atEnd && file.splitter.pendingBytes > 0 { consider(file.lastGrowthAt &+ partialNs) }
            if let d = file.merger?.deadline { consider(d) }
        }
        return earliest
    }

    // MARK: Helpers

    func note(_ message: String) {
        if notices.count < 1000 { notices.append(message) }
    }

    /// `bytes` in a buffer of their exact size.
    static func compacted(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { raw, initialized in
            bytes.withUnsafeBufferPointer { source in
                if let from = source.baseAddress, let to = raw.baseAddress { to.initialize(from: from, count: source.count) }
            }
            initialized = bytes.count
        }
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        let (s, atto) = d.components
        if s < 0 { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(max(0, atto)) / 1_000_000_000
    }

    static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    static func realtimeNow() -> EventTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EventTime(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    static func sleep(nanoseconds: UInt64) {
        var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&ts, &remaining) != 0 && errno == EINTR { ts = remaining }
    }
}
