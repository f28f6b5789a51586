#if canImport(Glibc)
import Glibc
#endif

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
    let fd: Int32
    var identity: FileIdentity
    var stream: FileStreamCheckpoint
    var splitter: LineSplitter
    var merger: MultilineMerger?
    var drain: Drain
    var headHash: UInt64
    var headLength: Int
    /// The last bytes read, compared with the file to notice it was rewritten in place.
    var recentBytes: [UInt8] = []
    var lastGrowthAt: UInt64
    var atEnd = false
    /// Records were delivered since the last checkpoint was attached.
    var uncheckpointedEnd: UInt64?

    static let recentWindow = 64

    init(path: String, fd: Int32, identity: FileIdentity, stream: FileStreamCheckpoint, splitter: LineSplitter,
         merger: MultilineMerger?, drain: Drain, head: (hash: UInt64, length: Int), now: UInt64) {
        self.path = path
        self.fd = fd
        self.identity = identity
        self.stream = stream
        self.splitter = splitter
        self.merger = merger
        self.drain = drain
        self.headHash = head.hash
        self.headLength = head.length
        self.lastGrowthAt = now
    }

    deinit { close(fd) }

    var readOffset: UInt64 { splitter.position }

    /// Loads `recentBytes` from the file, ending at the current read offset.
    func loadRecentBytes() {
        let count = Int(min(readOffset, UInt64(Self.recentWindow)))
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(readOffset) - off_t(count)) }
            if n != count { bytes = [] }
        }
        recentBytes = bytes
    }

    /// Keeps the last bytes of a chunk just read.
    func remember(_ chunk: UnsafeRawBufferPointer) {
        if chunk.count >= Self.recentWindow {
            recentBytes = Array(UnsafeRawBufferPointer(rebasing: chunk[(chunk.count - Self.recentWindow)...]))
        } else {
            recentBytes.append(contentsOf: chunk)
            if recentBytes.count > Self.recentWindow { recentBytes.removeFirst(recentBytes.count - Self.recentWindow) }
        }
    }

    func size() -> UInt64? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return UInt64(st.st_size)
    }
}
