import RationCore
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

/// Sessions opened with fresh keys and closed oldest first (the open-session cap under a
/// high-cardinality key): the opening-order queue stays about the size of the open set instead
/// of keeping one entry per session ever opened.
@Suite struct SessionTableTests {
    @Test func openingOrderStaysBoundedWhenSessionsCloseOldestFirst() {
        var table = SessionTable()
        var maxStorage = 0
        for n in 0..<100_000 {
            let key = "blk_\(n)"
            let bytes = Array(key.utf8)
            bytes.withUnsafeBytes { raw in
                let hash = SessionKeyIndex.hash(raw)
                if table.count >= 100, let oldest = table.oldestSlot() { _ = table.close(oldest) }
                _ = table.open(SessionKey(key), bytes: raw, hash: hash, source: "files.app",
                               time: EventTime(secondsSinceEpoch: 0), sequence: UInt64(n))
            }
            maxStorage = max(maxStorage, table.openingOrderStorage)
        }
        #expect(table.count == 100)
        #expect(maxStorage <= 400, "opening-order storage reached \(maxStorage) entries for 100 open sessions")
        #expect(table.oldestSlot().map { table[$0].firstSequence } == 99_900)
    }
}
