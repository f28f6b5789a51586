import Foundation
import Glibc
import RationCore

/// An append-only JSONL file that survives crashes: each line goes out in one `write(2)` on an
/// `O_APPEND` descriptor and is fsynced before the call returns, so a line is either complete
/// on disk or (after a crash mid-write) a torn tail without a newline. Opening cuts such a
/// tail, so the next line never glues onto half a record.
public final class JSONLAppender: @unchecked Sendable {
    public let path: String
    /// Bytes of torn tail cut when the file was opened.
    public let cutBytes: Int
    private let fd: Int32
    private let lock = NSLock()

    public init(path: String) throws(CalibrationError) {
        self.path = path
        let existing: [UInt8]
        do { existing = try DurableFile.read(path) ?? [] } catch { throw .io(path: path, reason: error.description) }
        let keep = existing.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        cutBytes = existing.count - keep
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .io(path: path, reason: "cannot open for appending: \(String(cString: strerror(errno)))") }
        if cutBytes > 0, ftruncate(fd, off_t(keep)) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, reason: "cannot cut the torn last line: \(reason)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `line` plus a newline and fsyncs.
    public func append(_ line: String) throws(CalibrationError) {
        let bytes = Array((line + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io(path: path, reason: "write failed: \(String(cString: strerror(errno)))") }
            written += n
        }
        guard fsync(fd) == 0 else { throw .io(path: path, reason: "fsync failed: \(String(cString: strerror(errno)))") }
    }

    /// The complete lines of a JSONL file (none when it does not exist), with 1-based numbers;
    /// a torn last line is left out.
    public static func lines(of path: String) throws(CalibrationError) -> [(number: Int, text: String)] {
        let bytes: [UInt8]
        do { bytes = try DurableFile.read(path) ?? [] } catch { throw .io(path: path, reason: error.description) }
        guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated().compactMap { $0.element.allSatisfy(\.isWhitespace) ? nil : ($0.offset + 1, String($0.element)) }
    }
}
