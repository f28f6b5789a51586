import Testing
import RationCore

/// Eviction order, the cost bound and slot reuse of the map behind the verdict cache and the
/// alert board.
@Suite struct LeastRecentlyUsedMapTests {
    @Test func evictsTheLeastRecentlyUsedBeyondCapacity() {
        var map = LeastRecentlyUsedMap<String, Int>(capacity: 3)
        for (i, key) in ["a", "b", "c"].enumerated() { #expect(map.insert(i, for: key, cost: 1).isEmpty) }
        #expect(map.use("a") == 0)
        #expect(map.insert(3, for: "d", cost: 1).map(\.key) == ["b"])
        #expect(map.leastRecentFirst.map(\.key) == ["c", "a", "d"])
        #expect(map.peek("c") == 2)
        #expect(map.insert(4, for: "e", cost: 1).map(\.key) == ["c"], "peek does not refresh")
    }

    @Test func replacingRefreshesUnlessAskedNotTo() {
        var map = LeastRecentlyUsedMap<String, Int>(capacity: 2)
        map.insert(1, for: "a", cost: 1)
        map.insert(2, for: "b", cost: 1)
        map.insert(10, for: "a", cost: 1, refresh: false)
        #expect(map.insert(3, for: "c", cost: 1).map(\.key) == ["a"])
        map.insert(20, for: "b", cost: 1)
        #expect(map.insert(4, for: "d", cost: 1).map(\.key) == ["c"])
        #expect(map.peek("b") == 20)
    }

    @Test func staysWithinItsCostButKeepsTheNewest() {
        var map = LeastRecentlyUsedMap<Int, String>(capacity: 100, maxCost: 10)
        for i in 0..<5 { map.insert("v\(i)", for: i, cost: 3) }
        #expect(map.count == 3 && map.totalCost == 9)
        #expect(map.leastRecentFirst.map(\.key) == [2, 3, 4])
        let evicted = map.insert("big", for: 9, cost: 50)
        #expect(evicted.map(\.key) == [2, 3, 4])
        #expect(map.count == 1 && map.peek(9) == "big" && map.totalCost == 50)
        map.insert("v", for: 10, cost: 1)
        #expect(map.peek(9) == nil && map.totalCost == 1)
    }

    @Test func removedSlotsAreReusedAndOrderHolds() {
        var map = LeastRecentlyUsedMap<Int, Int>(capacity: 1_000)
        for i in 0..<100 { map.insert(i, for: i, cost: i) }
        for i in stride(from: 0, to: 100, by: 2) { #expect(map.remove(i) == i) }
        for i in 100..<150 { map.insert(i, for: i, cost: 1) }
        let expected = Array(stride(from: 1, to: 100, by: 2)) + Array(100..<150)
        #expect(map.leastRecentFirst.map(\.key) == expected)
        #expect(map.totalCost == stride(from: 1, to: 100, by: 2).reduce(0, +) + 50)
        #expect(map.removeOldest()?.key == 1)
        #expect(map.count == 99)
    }

    @Test func zeroCapacityKeepsNothing() {
        var map = LeastRecentlyUsedMap<Int, Int>(capacity: 0)
        #expect(map.insert(1, for: 1, cost: 1).map(\.key) == [1])
        #expect(map.isEmpty)
    }
}
