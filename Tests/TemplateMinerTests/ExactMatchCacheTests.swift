import Testing
@testable import TemplateMiner

/// The exact-match cache grows from a small table as it fills, keeps every entry across
/// growth, and is cleared once it holds its capacity.
@Suite struct ExactMatchCacheTests {
    static func key(_ i: Int) -> UInt64 { UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }

    @Test func growsKeepingEveryEntryAndClearsAtCapacity() {
        var cache = ExactMatchCache(capacity: 10_000)
        for i in 0..<10_000 { cache.insert(Self.key(i), id: UInt64(i), slot: Int32(i % 1000)) }
        #expect(cache.count == 10_000)
        #expect((0..<10_000).allSatisfy { cache.lookup(Self.key($0))?.id == UInt64($0) })
        #expect(cache.lookup(Self.key(10_001)) == nil)
        #expect(cache.all.count == 10_000)
        // The cache is full: the next insert starts it again with that key alone.
        cache.insert(Self.key(20_000), id: 1, slot: 1)
        #expect(cache.count == 1)
        #expect(cache.lookup(Self.key(3)) == nil && cache.lookup(Self.key(20_000))?.id == 1)
    }

    @Test func zeroCapacityCachesNothing() {
        var cache = ExactMatchCache(capacity: 0)
        cache.insert(1, id: 1, slot: 1)
        #expect(cache.lookup(1) == nil && cache.count == 0)
    }
}
