import Testing
@testable import TemplateMiner

/// The miner's open-addressing table against `Dictionary`, under random inserts, updates and
/// removals (removal shifts entries back, the part most likely to go wrong).
@Suite struct SlotTableTests {
    /// Knuth's MMIX linear congruential step, high bits taken: deterministic, so a failure reproduces.
    static func next(_ state: inout UInt64) -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }

    struct Key: Hashable {
        var owner: Int32
        var key: UInt64
    }

    @Test(arguments: [1, 2, 3])
    func agreesWithADictionaryUnderRandomOperations(seed: UInt64) {
        var rng = seed
        var table = SlotTable()
        var reference: [Key: Int32] = [:]
        // Few owners and small keys, so that probe chains collide and wrap around.
        for step in 0..<20_000 {
            let key = Key(owner: Int32(Self.next(&rng) % 4), key: Self.next(&rng) % 300)
            if Self.next(&rng) % 3 == 0 {
                table[key.owner, key.key] = nil
                reference[key] = nil
            } else {
                let value = Int32(step)
                table[key.owner, key.key] = value
                reference[key] = value
            }
            if step % 997 == 0 {
                for owner in Int32(0)..<4 {
                    for k in UInt64(0)..<300 {
                        #expect(table[owner, k] == reference[Key(owner: owner, key: k)], "step \(step) owner \(owner) key \(k)")
                    }
                }
            }
        }
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(table[key.owner, key.key] == value) }
    }

    @Test func emptiedTableFindsNothingAndRefills() {
        var table = SlotTable()
        for k in UInt64(0)..<100 { table[7, k] = Int32(k) }
        for k in UInt64(0)..<100 { table[7, k] = nil }
        #expect(table.count == 0)
        #expect(table[7, 5] == nil)
        table[7, 5] = 42
        #expect(table[7, 5] == 42)
        #expect(table[8, 5] == nil)
    }
}
