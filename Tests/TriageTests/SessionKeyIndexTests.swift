import Testing
@testable import Triage

/// The byte-keyed session index against a Dictionary under random opens and closes (growth,
/// collisions on a shared prefix, backward-shift deletion, slot reuse).
@Suite struct SessionKeyIndexTests {
    @Test func agreesWithDictionaryUnderChurn() {
        var index = SessionKeyIndex()
        var reference: [String: Int] = [:]
        var freeSlots: [Int] = []
        var nextSlot = 0
        var rng = SystemRandomNumberGenerator()
        func lookUp(_ key: String) -> Int? {
            var k = key
            return k.withUTF8 { b in
                let raw = UnsafeRawBufferPointer(b)
                return index.slot(for: raw, hash: SessionKeyIndex.hash(raw))
            }
        }
        for step in 0..<20_000 {
            let key = "blk_-\(Int.random(in: 0..<3_000, using: &rng))" + (step % 7 == 0 ? "" : "0")
            if let slot = reference[key] {
                #expect(lookUp(key) == slot)
                if Bool.random(using: &rng) {
                    index.remove(slot: slot)
                    reference[key] = nil
                    freeSlots.append(slot)
                }
            } else {
                #expect(lookUp(key) == nil)
                let slot = freeSlots.popLast() ?? { nextSlot += 1; return nextSlot - 1 }()
                var k = key
                k.withUTF8 { b in
                    let raw = UnsafeRawBufferPointer(b)
                    index.insert(slot: slot, bytes: raw, hash: SessionKeyIndex.hash(raw))
                }
                reference[key] = slot
            }
            #expect(index.count == reference.count)
        }
        for (key, slot) in reference { #expect(lookUp(key) == slot) }
        #expect(lookUp("") == nil)
    }
}
