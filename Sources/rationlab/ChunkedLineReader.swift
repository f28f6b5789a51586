import Ingest
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file in fixed-size chunks and hands out its lines, cut by the file source's own
/// `LineSplitter` (`\n` ends a line, a trailing `\r` is dropped, a last line without newline
/// counts), so offline commands hold one chunk and the line in progress rather than the
/// whole input. Lines are never split: `rationlab parse` numbers them as the file does.
struct ChunkedLineReader {
    static let chunkSize = 1 << 20

    let path: String

    /// Calls `body` with each line, in order; the buffer is valid only during the call.
    /// Progress goes to stderr for large files (`ProgressReport`).
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputFileError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var size = stat()
        var progress = ProgressReport(label: path, totalBytes: fstat(fd, &size) == 0 && size.st_mode & S_IFMT == S_IFREG ? Int(size.st_size) : 0)
        defer { progress.finish() }
        var splitter = LineSplitter(maxLineBytes: Int.max)
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            progress.advance(by: n)
            chunk.withUnsafeBytes { raw in
                splitter.feedBytes(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { line, _, _ in
                    body(line.bindMemory(to: UInt8.self))
                }
            }
        }
        if let last = splitter.flush() { last.bytes.withUnsafeBufferPointer(body) }
    }
}
