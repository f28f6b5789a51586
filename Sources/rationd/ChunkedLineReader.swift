#if canImport(Glibc)
import Glibc
#endif

/// Reads a file in fixed-size chunks and hands out its lines (`\n` ends a line, a trailing
/// `\r` is dropped, a last line without newline counts), so offline commands hold one chunk
/// and the line in progress rather than the whole input.
struct ChunkedLineReader {
    static let chunkSize = 1 << 20

    let path: String

    /// Calls `body` with each line, in order; the slice is valid only during the call.
    func forEachLine(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputFileError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var filled = 0
        while true {
            if filled == buffer.count { buffer += repeatElement(0, count: buffer.count) }
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, raw.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputFileError(path: path, reason: String(cString: strerror(errno)))
            }
            let end = filled + n
            var start = 0
            var i = filled
            while i < end {
                if buffer[i] == UInt8(ascii: "\n") {
                    try body(Self.trimmed(buffer[start..<i]))
                    start = i + 1
                }
                i += 1
            }
            if n == 0 {
                if start < end { try body(Self.trimmed(buffer[start..<end])) }
                return
            }
            // Keep the line in progress at the front of the buffer.
            let rest = end - start
            if start > 0 && rest > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    b.baseAddress!.update(from: b.baseAddress! + start, count: rest)
                }
            }
            filled = rest
        }
    }

    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == UInt8(ascii: "\r") ? line.dropLast() : line
    }
}
