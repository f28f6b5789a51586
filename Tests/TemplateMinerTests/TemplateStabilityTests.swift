import Testing
@testable import TemplateMiner

/// Ids are stable: a template keeps its id while it generalises, and repeated input never
/// makes new templates.
@Suite struct TemplateStabilityTests {
    /// A lower threshold than the default so that plain words generalise.
    static let loose = MinerConfiguration(similarityThreshold: 0.5)

    @Test func templateKeepsItsIdAsItGeneralises() {
        var miner = TemplateMiner(configuration: Self.loose)
        // The first `depth - 2` tokens pick the tree branch, as in Drain; values come later.
        let first = miner.mine("worker pool started alpha quickly")
        #expect(first.isNewTemplate)
        #expect(miner.template(for: first.templateID) == "worker pool started alpha quickly")
        let second = miner.mine("worker pool started beta quickly")
        #expect(second.templateID == first.templateID)
        #expect(!second.isNewTemplate)
        #expect(miner.template(for: first.templateID) == "worker pool started <*> quickly")
        #expect(second.parameters == ["beta"])
        let third = miner.mine("worker pool started gamma slowly")
        #expect(third.templateID == first.templateID)
        #expect(miner.template(for: first.templateID) == "worker pool started <*> <*>")
        #expect(third.parameters == ["gamma", "slowly"])
        // An earlier line still maps to the same (now more general) template.
        #expect(miner.mine("worker pool started alpha quickly").templateID == first.templateID)
        #expect(miner.templateCount == 1)
    }

    @Test func differentLengthsNeverMerge() {
        var miner = TemplateMiner(configuration: Self.loose)
        let a = miner.mine("disk sda failed")
        let b = miner.mine("disk sda failed twice")
        #expect(a.templateID != b.templateID)
    }

    @Test func defaultKeepsDistinctShortMessagesApart() {
        var miner = TemplateMiner()
        let resumed = miner.mine("[instance: 3edec1e4-9678-4a3a-a21b-a145a4ee5e61] VM Resumed (Lifecycle Event)")
        let paused = miner.mine("[instance: 3edec1e4-9678-4a3a-a21b-a145a4ee5e61] VM Paused (Lifecycle Event)")
        #expect(resumed.templateID != paused.templateID)
    }

    @Test func repeatedInputDoesNotGrowTheTemplateSet() throws {
        let contents = try Fixture.hdfsContents()
        var miner = TemplateMiner()
        for line in contents { _ = miner.mine(line) }
        let count = miner.templateCount
        let finalIDs = contents.map { miner.mine($0).templateID }
        for _ in 0..<20 {
            for (line, id) in zip(contents, finalIDs) {
                let mined = miner.mine(line)
                #expect(mined.templateID == id)
                #expect(!mined.isNewTemplate)
            }
        }
        #expect(miner.templateCount == count)
        #expect(miner.statistics.lines == UInt64(contents.count * 22))
    }

    @Test func identicalMessagesReachTheSameTemplateWhereDrainWouldNot() {
        // Messages made mostly of values: Drain's similarity over constants finds no match
        // for them and makes a new cluster each time; here they hit the exact-match cache.
        var miner = TemplateMiner()
        let line = "10.0.0.1:50010 10.0.0.2:50010 blk_123 7 x"
        let id = miner.mine(line).templateID
        for i in 0..<1000 {
            #expect(miner.mine("10.0.0.\(i % 250):50010 10.0.1.\(i % 7):50010 blk_\(i) \(i) x").templateID == id)
        }
        #expect(miner.templateCount == 1)
    }
}
