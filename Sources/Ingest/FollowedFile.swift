#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// One open file being read: its descriptor, where reading stands, the line and multi-line
/// state, and the stream its checkpoints advance. The descriptor is closed with the object.
final class FollowedFile {
    enum Drain {
        /// Still the file at its path.
        case following
        /// Renamed away or deleted: read until it stops growing for `rotate_wait`.
        case untilQuiet
        /// A finished copy (copytruncate): read to its end, then close.
        case toEnd
    }

    /// The followed path this content belongs to (its name after rotation may differ).
    let path: String
    /// The fields of every record from this file, shared by them all.
    let recordFields: RecordFields
    let fd: Int32
    var identity: FileIdentity
    var stream: FileStreamCheckpoint
    var splitter: LineSplitter
    var merger: MultilineMerger?
    var drain: Drain
    /// The first bytes of the content (up to the fingerprint size), as read.
    private(set) var head: [UInt8] = []
    private(set) var headHash: UInt64 = 0
    let headCapacity: Int
    /// The last bytes read, ending at the read offset: checkpoint tail hashes and the check
    /// that the file was not rewritten in place come from what was actually read, so a
    /// truncation racing with the read cannot corrupt them.
    private(set) var window: [UInt8] = []
    let windowCapacity: Int
    var lastGrowthAt: UInt64
    var atEnd = false
    /// Records were delivered since the last checkpoint was attached.
    var uncheckpointedEnd: UInt64?

    init(path: String, fd: Int32, identity: FileIdentity, stream: FileStreamCheckpoint, splitter: LineSplitter,
         merger: MultilineMerger?, drain: Drain, fingerprintBytes: Int, tailHashBytes: Int, now: UInt64) {
        self.path = path
        self.recordFields = RecordFields(path: path)
        self.fd = fd
        self.identity = identity
        self.stream = stream
        self.splitter = splitter
        self.merger = merger
        self.drain = drain
        self.headCapacity = fingerprintBytes
        self.windowCapacity = tailHashBytes + 4096
        self.lastGrowthAt = now
    }

    deinit { close(fd) }

    var readOffset: UInt64 { splitter.position }

    var headLength: Int { head.count }

    /// Loads the head and the window from the file, for reading that starts at `readOffset`.
    func loadFromFile() {
        head = preadBytes(at: 0, count: headCapacity)
        headHash = FileFingerprint.hash(head)
        let count = Int(min(readOffset, UInt64(windowCapacity)))
        let bytes = preadBytes(at: readOffset - UInt64(count), count: count)
        window = bytes.count == count ? bytes : []
    }

    /// Before anything is read, takes the file's first bytes as its head (up to the
    /// fingerprint size), so that a truncation and rewrite before the first read shows.
    func peekHead() {
        guard readOffset == 0, head.count < headCapacity else { return }
        let bytes = preadBytes(at: 0, count: headCapacity)
        guard bytes.count > head.count, bytes.starts(with: head) else { return }
        head = bytes
        headHash = FileFingerprint.hash(head)
    }

    /// Takes over the head and window of the file this one is a copy of.
    func adopt(head: [UInt8], window: [UInt8]) {
        self.head = head
        self.headHash = FileFingerprint.hash(head)
        self.window = window
    }

    /// Forgets the content read so far (the file starts over).
    func restart(head newHead: [UInt8]) {
        head = newHead
        headHash = FileFingerprint.hash(head)
        window = []
    }

    /// Records a chunk just read at `offset` into the head and the window.
    func consumed(_ chunk: UnsafeRawBufferPointer, at offset: UInt64) {
        let headEnd = UInt64(head.count)
        if head.count < headCapacity, offset <= headEnd, offset + UInt64(chunk.count) > headEnd {
            let from = Int(headEnd - offset)
            let to = min(chunk.count, headCapacity - Int(offset))
            head.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[from..<to]))
            headHash = FileFingerprint.hash(head)
        }
        if chunk.count >= windowCapacity {
            window = Array(UnsafeRawBufferPointer(rebasing: chunk[(chunk.count - windowCapacity)...]))
        } else {
            window.append(contentsOf: chunk)
            if window.count > 2 * windowCapacity { window.removeFirst(window.count - windowCapacity) }
        }
    }

    /// The last `count` bytes read (fewer at the start of a file).
    func recentBytes(_ count: Int) -> [UInt8] { Array(window.suffix(count)) }

    /// Hash of up to `maxBytes` bytes ending at `offset` (a line end at or before the read
    /// offset), from the window when it covers them.
    func tailHash(endingAt offset: UInt64, maxBytes: Int) -> (hash: UInt64, length: Int) {
        let length = Int(min(offset, UInt64(maxBytes)))
        let windowStart = readOffset - UInt64(window.count)
        if offset <= readOffset, offset - UInt64(length) >= windowStart {
            let from = Int(offset - UInt64(length) - windowStart)
            return window[from..<(from + length)].withUnsafeBytes { (FileFingerprint.hash($0), length) }
        }
        return FileFingerprint.tail(fd: fd, endingAt: offset, maxBytes: maxBytes) ?? (0, 0)
    }

    private func preadBytes(at offset: UInt64, count: Int) -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
        return n > 0 ? Array(bytes[0..<n]) : []
    }

    func size() -> UInt64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return UInt64(st.st_size)
    }
}
