import RationCore
import Testing
@testable import TemplateMiner

/// The LRU cap: templates beyond it are evicted least recently matched first, and counted.
@Suite struct EvictionTests {
    func capped(_ n: Int) -> TemplateMiner {
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = n
        return TemplateMiner(configuration: configuration)
    }

    /// Each call hands out the templates evicted since the previous one, and a list the
    /// caller keeps is not changed by later calls (the miner reuses a list once let go).
    @Test func evictedTemplatesAreHandedOutOnceAndStayAsTaken() {
        var miner = capped(2)
        miner.keepsEvictedTemplates = true
        var kept: [[EvictedTemplate]] = []
        var ids: [TemplateID] = []
        for i in 0..<40 {
            ids.append(miner.mine("event number\(String(repeating: "x", count: i + 1)) happened").templateID)
            let taken = miner.takeEvictedTemplates()
            if i < 2 { #expect(taken.isEmpty) } else { #expect(taken.map(\.id) == [ids[i - 2]]) }
            if i % 3 == 0 { kept.append(taken) }
        }
        #expect(miner.takeEvictedTemplates().isEmpty)
        for (k, list) in kept.enumerated() where 3 * k >= 2 {
            #expect(list.map(\.id) == [ids[3 * k - 2]])
            #expect(list.map { String(decoding: $0.textBytes, as: UTF8.self) }
                    == ["event number\(String(repeating: "x", count: 3 * k - 1)) happened"])
        }
    }

    @Test func leastRecentlyMatchedTemplateIsEvicted() {
        var miner = capped(3)
        let a = miner.mine("alpha event happened").templateID
        let b = miner.mine("beta event happened here").templateID
        let c = miner.mine("gamma event happened here now").templateID
        // Touch `a` so that `b` becomes the least recently matched.
        #expect(miner.mine("alpha event happened").templateID == a)
        let d = miner.mine("delta event happened here now again").templateID
        #expect(miner.templateCount == 3)
        #expect(miner.statistics.evictions == 1)
        #expect(miner.template(for: b) == nil)
        #expect(miner.template(for: a) != nil)
        #expect(miner.template(for: c) != nil)
        #expect(miner.template(for: d) != nil)
        // An evicted template's line comes back as a new template with a new id.
        let again = miner.mine("beta event happened here")
        #expect(again.isNewTemplate)
        #expect(again.templateID != b)
        #expect(miner.statistics.evictions == 2)
        #expect(miner.template(for: c) == nil)
    }

    @Test func churnStaysWithinTheCap() {
        var miner = capped(50)
        for i in 0..<5_000 {
            // Distinct words (no digits) so that every line is its own template.
            var word = ""
            var v = i
            repeat {
                word.append(Character(UnicodeScalar(UInt8(97 + v % 26))))
                v /= 26
            } while v > 0
            _ = miner.mine("event \(word) happened")
        }
        #expect(miner.templateCount == 50)
        #expect(miner.statistics.evictions == 5_000 - 50)
        #expect(miner.statistics.templatesCreated == 5_000)
        #expect(miner.tree.liveNodeCount < 200)
    }
}

/// The recency queue against a plain list kept in use order.
@Suite struct RecencyQueueTests {
    @Test func popsExactlyTheLeastRecentlyUsedSlot() {
        var generator = SplitMix64(seed: 11)
        var queue = RecencyQueue()
        var reference: [Int32] = []   // least recent first
        var free: [Int32] = []
        var next: Int32 = 0
        for _ in 0..<20_000 {
            switch generator.next() % 10 {
            case 0...2:
                let slot = free.popLast() ?? { defer { next += 1 }; return next }()
                queue.insert(slot)
                reference.append(slot)
            case 3...7 where !reference.isEmpty:
                let slot = reference[Int(generator.next() % UInt64(reference.count))]
                queue.touch(slot)
                reference.removeAll { $0 == slot }
                reference.append(slot)
            default:
                let popped = queue.popLeastRecent()
                #expect(popped == reference.first)
                if let popped {
                    reference.removeFirst()
                    free.append(popped)
                }
            }
        }
        #expect(queue.slotsByRecency == reference)
        #expect(queue.count == reference.count)
    }

    /// Removal from any place (least, most recent, middle, the only slot), removal of a slot
    /// not there, and reuse of removed slots keep the order exact.
    @Test func removalAndReuseKeepTheOrder() {
        var generator = SplitMix64(seed: 5)
        var queue = RecencyQueue()
        var reference: [Int32] = []   // least recent first
        var free: [Int32] = []
        var next: Int32 = 0
        for _ in 0..<20_000 {
            switch generator.next() % 8 {
            case 0...2:
                let slot = free.popLast() ?? { defer { next += 1 }; return next }()
                queue.insert(slot)
                reference.append(slot)
            case 3...4 where !reference.isEmpty:
                let slot = reference[Int(generator.next() % UInt64(reference.count))]
                queue.touch(slot)
                reference.removeAll { $0 == slot }
                reference.append(slot)
            case 5 where !reference.isEmpty:
                let slot = generator.next() % 2 == 0 ? reference.last! : reference[Int(generator.next() % UInt64(reference.count))]
                queue.remove(slot)
                #expect(!queue.contains(slot))
                queue.remove(slot)
                reference.removeAll { $0 == slot }
                free.append(slot)
            case 6:
                #expect(queue.popLeastRecent() == reference.first)
                if let first = reference.first {
                    reference.removeFirst()
                    free.append(first)
                }
            default:
                #expect(queue.slotsByRecency == reference)
            }
            #expect(queue.count == reference.count)
        }
        while let slot = queue.popLeastRecent() { #expect(slot == reference.removeFirst()) }
        #expect(reference.isEmpty && queue.count == 0 && queue.slotsByRecency.isEmpty)
    }
}
