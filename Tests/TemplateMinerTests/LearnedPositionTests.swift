import RationCore
import Testing
@testable import TemplateMiner

/// The miner learns which positions are values from the lines themselves: a word that
/// changes while the rest of the line stays is a parameter once it has shown
/// `distinctValuesForParameter` values, and the templates made before that merge into one.
@Suite struct LearnedPositionTests {
    /// A deterministic source of names and addresses (no Foundation randomness in tests).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func name() -> String {
            let letters = Array("abcdefghijklmnopqrstuvwxyz")
            return String((0..<(3 + Int(next() % 8))).map { _ in letters[Int(next() % 26)] })
        }
        mutating func address() -> String { (0..<4).map { _ in String(1 + next() % 254) }.joined(separator: ".") }
    }

    @Test func sshdLinesWithTenThousandUserNamesGiveThreeTemplates() {
        var miner = TemplateMiner()
        var g = Generator(state: 42)
        var ids: [TemplateID] = []
        for i in 0..<10_000 {
            let name = g.name() + (i % 7 == 0 ? "" : String(i))
            let line: String
            switch i % 3 {
            case 0: line = "Failed password for invalid user \(name) from \(g.address()) port \(1024 + g.next() % 60_000) ssh2"
            case 1: line = "Invalid user \(name) from \(g.address())"
            default: line = "Accepted publickey for \(name) from \(g.address()) port \(1024 + g.next() % 60_000) ssh2"
            }
            ids.append(miner.mine(line).templateID)
        }
        #expect(miner.templateCount == 3)
        let texts = Set(miner.templates.map(\.text))
        // `ssh2` holds a digit, so it joins the port value before it.
        #expect(texts == ["Failed password for invalid user <*> from <*> port <*>", "Invalid user <*> from <*>",
                          "Accepted publickey for <*> from <*> port <*>"])
        // Every id handed out, also those of templates merged since, names one of the three.
        #expect(Set(ids.map { miner.resolve($0) }).count == 3)
        #expect(ids.allSatisfy { miner.template(for: $0) != nil })
    }

    @Test func mergedTemplateIdsResolveToTheSurvivor() {
        var miner = TemplateMiner()
        let k = MinerConfiguration.default.distinctValuesForParameter
        let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
        #expect(k >= 2 && k <= names.count)
        let first = miner.mine("session opened for \(names[0]) by sshd")
        let second = miner.mine("session opened for \(names[1]) by sshd")
        #expect(second.templateID != first.templateID)
        for name in names[2..<(k - 1)] { _ = miner.mine("session opened for \(name) by sshd") }
        let last = miner.mine("session opened for \(names[k - 1]) by sshd")
        #expect(last.templateID == first.templateID)
        #expect(miner.resolve(second.templateID) == first.templateID)
        #expect(miner.template(for: second.templateID) == "session opened for <*> by sshd")
        #expect(miner.templateCount == 1)
        #expect(miner.statistics.templatesMerged == UInt64(k - 2))
    }

    @Test func fewDistinctWordsStayApart() {
        var miner = TemplateMiner()
        let up = miner.mine("link eth0 changed state to up")
        let down = miner.mine("link eth0 changed state to down")
        #expect(up.templateID != down.templateID)
        #expect(miner.templateCount == 2)
    }

    @Test func linesOfValuesAloneDoNotTeach() {
        var miner = TemplateMiner()
        for word in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"] { _ = miner.mine(word) }
        #expect(miner.templateCount == 6)
    }

    @Test func learningOffKeepsEveryShape() {
        var miner = TemplateMiner(configuration: MinerConfiguration(distinctValuesForParameter: 0))
        for name in ["alice", "bob", "carol", "dave", "erin"] { _ = miner.mine("session opened for \(name) by sshd") }
        #expect(miner.templateCount == 5)
    }

    @Test func neverRepeatingLinesAreComparedWithABoundedNumberOfTemplates() {
        var configuration = MinerConfiguration()
        configuration.candidatesPerLeaf = 4
        var miner = TemplateMiner(configuration: configuration)
        var g = Generator(state: 7)
        for _ in 0..<2_000 { _ = miner.mine((0..<10).map { _ in g.name() }.joined(separator: " ")) }
        #expect(miner.templateCount == 2_000)
        // A line equal to an old template beyond the candidate window still finds it by its
        // exact masked sequence.
        #expect(miner.statistics.lines == 2_000)
    }
}

/// The per-source new-template budget and its overflow template.
@Suite struct NewTemplateBudgetTests {
    @Test func pastTheBudgetNewShapesJoinTheOverflowTemplate() {
        var miner = TemplateMiner()
        var budget = NewTemplateBudget(perMinute: 5)
        let start = EventTime(secondsSinceEpoch: 1_000)
        var g = LearnedPositionTests.Generator(state: 3)
        var mined: [MinedLine] = []
        for _ in 0..<20 {
            let line = Array((0..<8).map { _ in g.name() }.joined(separator: " ").utf8)
            mined.append(miner.mine(line[...], budget: &budget, at: start, source: "files.noisy"))
        }
        #expect(mined.filter(\.isNewTemplate).count == 5)
        let overflow = mined.filter(\.isOverflow)
        #expect(overflow.count == 15)
        #expect(Set(overflow.map(\.templateID)).count == 1)
        let text = miner.template(for: overflow[0].templateID)
        #expect(text == "rationd: new templates of files.noisy over the limit")
        #expect(miner.statistics.overflowLines == 15)
        // Lines that match a known template are never held back.
        let known = Array(miner.templates.first { !$0.text.hasPrefix("rationd:") }!.text.utf8)
        #expect(!miner.mine(known[...], budget: &budget, at: start, source: "files.noisy").isOverflow)
        // A minute later the bucket is full again.
        let later = start.adding(.seconds(60))
        let fresh = Array("a completely different line shape here".utf8)
        #expect(miner.mine(fresh[...], budget: &budget, at: later, source: "files.noisy").isNewTemplate)
    }

    @Test func zeroMeansNoLimit() {
        var budget = NewTemplateBudget(perMinute: 0)
        for _ in 0..<1_000 {
            let allowed = budget.allows(at: .zero)
            #expect(allowed)
            budget.spend()
        }
    }

    @Test func overflowTemplatesAreNotSnapshotted() throws {
        var miner = TemplateMiner()
        var budget = NewTemplateBudget(perMinute: 1)
        _ = miner.mine(Array("first shape of line".utf8)[...], budget: &budget, at: .zero, source: "s")
        let held = miner.mine(Array("second other shape entirely".utf8)[...], budget: &budget, at: .zero, source: "s")
        #expect(held.isOverflow)
        let restored = try TemplateMiner(snapshot: miner.snapshot())
        #expect(restored.templateCount == 1)
    }
}
