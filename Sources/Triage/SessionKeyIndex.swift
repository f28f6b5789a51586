#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open session keys by their bytes, so a line's captured key is looked up without making a
/// `String` or running `Hasher` (both cost more than the rest of a line's sessionizing).
///
/// Open addressing with linear probing over session-table slots; deletion shifts the
/// following entries back, so there are no tombstones. Each slot's key bytes and hash are
/// kept beside it (one allocation per session, not per line).
struct SessionKeyIndex: Sendable {
    private var buckets: [Int32] = Array(repeating: -1, count: 64)
    private var mask = 63
    private var keyBytes: [[UInt8]] = []
    private var hashes: [UInt64] = []
    private(set) var count = 0

    /// A 64-bit hash of `bytes`, eight bytes at a time.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// The slot of the session keyed by `bytes` (hashed as `hash`), if one is open.
    func slot(for bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = Int(buckets[i])
            if s < 0 { return nil }
            if hashes[s] == hash && Self.equal(keyBytes[s], bytes) { return s }
            i = (i + 1) & mask
        }
    }

    /// Records `slot` as the session keyed by `bytes` (not already present).
    mutating func insert(slot: Int, bytes: UnsafeRawBufferPointer, hash: UInt64) {
        if slot >= hashes.count {
            let grow = slot + 1 - hashes.count
            hashes.append(contentsOf: repeatElement(0, count: grow))
            keyBytes.append(contentsOf: repeatElement([], count: grow))
        }
        hashes[slot] = hash
        keyBytes[slot].removeAll(keepingCapacity: true)   // a reused slot keeps its storage
        keyBytes[slot].append(contentsOf: bytes)
        if (count + 1) * 2 > buckets.count { resize(to: buckets.count * 2) }
        place(slot)
        count += 1
    }

    /// Forgets the session in `slot`.
    mutating func remove(slot: Int) {
        var i = Int(truncatingIfNeeded: hashes[slot]) & mask
        while Int(buckets[i]) != slot {
            precondition(buckets[i] >= 0, "session slot \(slot) missing from the key index")
            i = (i + 1) & mask
        }
        var j = i
        while true {
            j = (j + 1) & mask
            let s = Int(buckets[j])
            if s < 0 { break }
            let home = Int(truncatingIfNeeded: hashes[s]) & mask
            // Entry at j may move to i only when its home is not cyclically within (i, j].
            let stays = i <= j ? (i < home && home <= j) : (i < home || home <= j)
            if stays { continue }
            buckets[i] = buckets[j]
            i = j
        }
        buckets[i] = -1
        keyBytes[slot].removeAll(keepingCapacity: true)
        count -= 1
    }

    private mutating func place(_ slot: Int) {
        var i = Int(truncatingIfNeeded: hashes[slot]) & mask
        while buckets[i] >= 0 { i = (i + 1) & mask }
        buckets[i] = Int32(slot)
    }

    private mutating func resize(to capacity: Int) {
        let old = buckets
        buckets = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for s in old where s >= 0 { place(Int(s)) }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == bytes.count else { return false }
        return stored.withUnsafeBytes { s in
            s.count == 0 || memcmp(s.baseAddress!, bytes.baseAddress!, s.count) == 0
        }
    }
}
