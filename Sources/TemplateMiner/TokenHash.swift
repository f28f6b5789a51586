/// 64-bit hash of token bytes (eight bytes per multiply-rotate step). Tokens are compared
/// by this hash everywhere on the hot path (tree keys, template positions, the exact-match
/// cache), so no per-token String is built for lines that match a known template.
enum TokenHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Hash of `bytes[start..<end]`, eight bytes per step; the last 1...8 bytes in one
    /// step too (overlapping loads, never past the end).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        let n = end - start
        guard n > 0, let base = bytes.baseAddress else { return offset }
        let p = UnsafeRawPointer(base + start)
        var h = offset ^ (UInt64(truncatingIfNeeded: n) &* prime)
        var i = 0
        while i + 8 < n {
            h = step(h, p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        let rest = n - i
        let tail: UInt64
        if n >= 8 {
            tail = p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else if rest >= 4 {
            tail = UInt64(p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
        } else {
            var t = UInt64(p.load(fromByteOffset: i, as: UInt8.self))
            if rest > 1 { t |= UInt64(p.load(fromByteOffset: i + 1, as: UInt8.self)) << 8 }
            if rest > 2 { t |= UInt64(p.load(fromByteOffset: i + 2, as: UInt8.self)) << 16 }
            tail = t
        }
        // No finaliser: for up to eight bytes the step is a bijection (no collisions among
        // tokens of one length), and every consumer mixes further (the sequence hash is
        // finalised, tree dictionaries rehash).
        return step(h, tail)
    }

    @inline(__always)
    static func step(_ h: UInt64, _ v: UInt64) -> UInt64 {
        let m = (h ^ v) &* 0x9e37_79b9_7f4a_7c15
        return (m << 31) | (m >> 33)
    }

    static func hash(_ text: String) -> UInt64 {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { hash(UnsafeBufferPointer($0), 0, $0.count) }
    }

    /// A murmur-style finaliser so that hashes combine well.
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// Order-sensitive combination of a token-hash sequence (the exact-match cache key);
    /// `finalize` the result once at the end.
    @inline(__always)
    static func combine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        step(seed, value)
    }

    /// Hash of the parameter marker `<*>` (a literal so that the hot path reads no lazy
    /// global; a test checks it against `hash("<*>")`).
    static let wildcard: UInt64 = 0xf20e_7e00_11f1_49e5
}
