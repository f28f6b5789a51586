#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into lines at `\n`, stripping a `\r` before it. Bytes are kept as they
/// are (invalid UTF-8 included). A line longer than `maxLineBytes` is delivered in pieces of
/// that size, each flagged `truncated`; a last line without its newline is held until it is
/// completed or `flush()` is called. Pure value type: no I/O, no clock.
public struct LineSplitter: Sendable {
    public struct Line: Sendable, Equatable {
        public var bytes: [UInt8]
        /// Stream offset just past this line (past its newline when it had one).
        public var endOffset: UInt64
        /// Part of a line that was longer than the cap.
        public var truncated: Bool

        public init(bytes: [UInt8], endOffset: UInt64, truncated: Bool) {
            self.bytes = bytes
            self.endOffset = endOffset
            self.truncated = truncated
        }
    }

    public let maxLineBytes: Int
    private var partial: [UInt8] = []
    /// Pieces of the current line were already delivered because it exceeded the cap.
    private var continuing = false
    /// Stream offset just past every byte fed so far.
    public private(set) var position: UInt64

    public init(maxLineBytes: Int, startingAt offset: UInt64 = 0) {
        precondition(maxLineBytes > 0)
        self.maxLineBytes = maxLineBytes
        self.position = offset
    }

    /// Bytes held for an unfinished line.
    public var pendingBytes: Int { partial.count }

    /// Stream offset where the held unfinished line starts (equals `position` when none).
    public var pendingStart: UInt64 { position - UInt64(partial.count) }

    public mutating func feed(_ bytes: [UInt8], _ emit: (Line) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Line) -> Void) {
        feedBytes(chunk) { bytes, end, truncated in
            emit(Line(bytes: Array(bytes), endOffset: end, truncated: truncated))
        }
    }

    /// Like `feed`, but hands each line's bytes as a buffer valid only during the call, so
    /// the caller copies them exactly once, where they are kept.
    public mutating func feedBytes(_ chunk: UnsafeRawBufferPointer,
                                   _ emit: (_ bytes: UnsafeRawBufferPointer, _ endOffset: UInt64, _ truncated: Bool) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let start = position
        let n = chunk.count
        var p = 0
        while p < n {
            if let hit = memchr(base + p, 0x0A, n - p) {
                let i = base.distance(to: UnsafeRawPointer(hit))
                let end = start + UInt64(i + 1)
                if partial.isEmpty {
                    var hi = i
                    if hi > p, base.load(fromByteOffset: hi - 1, as: UInt8.self) == 0x0D { hi -= 1 }
                    if hi - p <= maxLineBytes {
                        emit(UnsafeRawBufferPointer(start: base + p, count: hi - p), end, continuing)
                        continuing = false
                        p = i + 1
                        continue
                    }
                }
                appendPartial(base, from: p, to: i, chunkStart: start, emit)
                if partial.last == 0x0D { partial.removeLast() }
                partial.withUnsafeBytes { emit($0, end, continuing) }
                partial = []
                continuing = false
                p = i + 1
            } else {
                appendPartial(base, from: p, to: n, chunkStart: start, emit)
                p = n
            }
        }
        position = start + UInt64(n)
    }

    /// Delivers the held unfinished line, if any (after a timeout, or when the file is done).
    public mutating func flush() -> Line? {
        guard !partial.isEmpty else {
            continuing = false
            return nil
        }
        if partial.last == 0x0D { partial.removeLast() }
        let line = Line(bytes: partial, endOffset: position, truncated: continuing)
        partial = []
        continuing = false
        return line
    }

    private mutating func appendPartial(_ base: UnsafeRawPointer, from lo: Int, to hi: Int, chunkStart: UInt64,
                                        _ emit: (UnsafeRawBufferPointer, UInt64, Bool) -> Void) {
        partial.append(contentsOf: UnsafeRawBufferPointer(start: base + lo, count: hi - lo))
        let partialEnd = chunkStart + UInt64(hi)
        while partial.count > maxLineBytes {
            let pieceEnd = partialEnd - UInt64(partial.count - maxLineBytes)
            partial.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[0..<maxLineBytes]), pieceEnd, true) }
            partial.removeFirst(maxLineBytes)
            continuing = true
        }
    }
}
