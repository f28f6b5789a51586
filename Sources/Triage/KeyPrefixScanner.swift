#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast `LITERAL(-?)CLASS+` key matcher with its literal held inline (up to 16 bytes), so
/// scanning a line touches no reference-counted storage: the sessionizer runs it on every line.
struct KeyPrefixScanner: Sendable {
    private let first: UInt8
    /// The literal's bytes after the first, little-endian, zero-padded.
    private let rest0: UInt64
    private let rest1: UInt64
    private let restCount: Int
    private let optionalMinus: Bool
    private let charClass: SessionKeyPattern.CharClass

    /// Nil when `prefix` is empty or longer than 17 bytes (the array-based matcher serves it).
    init?(prefix: [UInt8], optionalMinus: Bool, charClass: SessionKeyPattern.CharClass) {
        guard let head = prefix.first, prefix.count <= 17 else { return nil }
        first = head
        var words: (UInt64, UInt64) = (0, 0)
        for (k, b) in prefix.dropFirst().enumerated() {
            if k < 8 { words.0 |= UInt64(b) << (8 * UInt64(k)) } else { words.1 |= UInt64(b) << (8 * UInt64(k - 8)) }
        }
        (rest0, rest1) = words
        restCount = prefix.count - 1
        self.optionalMinus = optionalMinus
        self.charClass = charClass
    }

    /// Calls `body` with the byte range of each distinct key in `m`, in order of first
    /// appearance (the same keys as `SessionKeyPattern.forEachKeyRange`).
    @inline(__always)
    func forEachKeyRange(in m: UnsafeRawBufferPointer, _ body: (Range<Int>) -> Void) {
        guard let base = m.baseAddress else { return }
        let n = m.count
        var from = 0
        var firstKey: Range<Int>?
        var more: [Range<Int>] = []
        while from + restCount < n {
            guard let p = memchr(base + from, Int32(first), n - restCount - from) else { return }
            let start = base.distance(to: UnsafeRawPointer(p))
            guard matchesRest(m, at: start + 1) else { from = start + 1; continue }
            var i = start + 1 + restCount
            if optionalMinus && i + 1 < n && m[i] == 45 && charClass.contains(m[i + 1]) { i += 1 }
            let runStart = i
            while i < n && charClass.contains(m[i]) { i += 1 }
            guard i > runStart else { from = start + 1; continue }
            let range = start..<i
            from = i
            if let firstKey {
                if Self.same(m, firstKey, range) || more.contains(where: { Self.same(m, $0, range) }) { continue }
                more.append(range)
            } else {
                firstKey = range
            }
            body(range)
        }
    }

    @inline(__always)
    private func matchesRest(_ m: UnsafeRawBufferPointer, at i: Int) -> Bool {
        var k = 0
        while k < restCount {
            let word = k < 8 ? rest0 : rest1
            let expected = UInt8(truncatingIfNeeded: word >> (8 * UInt64(k & 7)))
            if m[i + k] != expected { return false }
            k += 1
        }
        return true
    }

    private static func same(_ m: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && memcmp(m.baseAddress! + a.lowerBound, m.baseAddress! + b.lowerBound, a.count) == 0
    }
}
