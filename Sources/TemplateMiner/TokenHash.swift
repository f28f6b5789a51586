/// 64-bit FNV-1a over token bytes. Tokens are compared by this hash everywhere on the hot
/// path (tree keys, template positions, the exact-match cache), so no per-token String is
/// built for lines that match a known template.
enum TokenHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var h = offset
        var i = start
        while i < end {
            h = (h ^ UInt64(bytes[i])) &* prime
            i += 1
        }
        return finalize(h)
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

    /// Order-sensitive combination of a token-hash sequence (the exact-match cache key).
    @inline(__always)
    static func combine(_ seed: UInt64, _ value: UInt64) -> UInt64 {
        finalize((seed &* 0x9e37_79b9_7f4a_7c15) ^ value)
    }

    /// Hash of the parameter marker `<*>`.
    static let wildcard: UInt64 = hash("<*>")
}
