import RationCore
import Testing
@testable import TemplateMiner

/// Bad input: nothing crashes, every line gets a template, limits are counted.
@Suite struct TokenizerEdgeCaseTests {
    @Test func emptyAndBlankLinesShareOneTemplate() {
        var miner = TemplateMiner()
        let empty = miner.mine([UInt8]())
        let blank = miner.mine("   \t  ")
        #expect(empty.templateID == blank.templateID)
        #expect(miner.template(for: empty.templateID) == "")
        #expect(empty.parameters.isEmpty)
    }

    @Test func invalidUTF8IsMinedAndRepairedOnlyForDisplay() {
        var miner = TemplateMiner()
        let bad: [UInt8] = Array("disk ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" failed on 42".utf8)
        let first = miner.mine(bad)
        let again = miner.mine(bad)
        #expect(first.templateID == again.templateID)
        let text = miner.template(for: first.templateID) ?? ""
        #expect(text.hasPrefix("disk "))
        #expect(text.hasSuffix(" failed on <*>"))
        #expect(text.contains("\u{FFFD}"))
        #expect(first.parameters == ["42"])
    }

    @Test func oneMebibyteLineIsCappedAndCounted() {
        var miner = TemplateMiner()
        var line = Array("huge payload ".utf8)
        line += [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let mined = miner.mine(line)
        #expect(miner.statistics.cappedLines == 1)
        #expect(miner.template(for: mined.templateID)?.hasPrefix("huge payload ") == true)
        // The template keeps at most the cap's worth of text.
        #expect((miner.template(for: mined.templateID)?.utf8.count ?? 0) <= MinerConfiguration.default.maxLineBytes)
    }

    @Test func longLinesFoldTheirTailIntoOneParameter() {
        var configuration = MinerConfiguration.default
        configuration.maxTokens = 8
        var miner = TemplateMiner(configuration: configuration)
        let words = (1...20).map { "w\($0)x" }.map { $0.filter(\.isLetter) }
        let line = words.joined(separator: " ")
        let mined = miner.mine(line)
        #expect(miner.statistics.truncatedLines == 1)
        let text = miner.template(for: mined.templateID) ?? ""
        #expect(text.split(separator: " ").count == 8)
        #expect(text.hasSuffix(" <*>"))
        #expect(mined.parameters == [words[7...].joined(separator: " ")])
    }

    @Test func binaryJunkDoesNotCrashAndRepeatsMatch() {
        var generator = SplitMix64(seed: 7)
        var miner = TemplateMiner()
        var lines: [[UInt8]] = []
        for _ in 0..<500 {
            let length = Int(generator.next() % 300)
            lines.append((0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        }
        let first = lines.map { miner.mine($0).templateID }
        let second = lines.map { miner.mine($0).templateID }
        #expect(first == second)
        #expect(miner.statistics.lines == 1000)
        for id in Set(first) { #expect(miner.template(for: id) != nil) }
    }

    @Test func nulAndControlBytesSeparateWords() {
        var miner = TemplateMiner()
        let a = miner.mine(Array("alpha".utf8) + [0, 1, 2] + Array("beta 7".utf8))
        #expect(miner.template(for: a.templateID) == "alpha beta <*>")
    }

    @Test func quotedValueWithoutClosingQuoteStaysInItsWord() {
        var miner = TemplateMiner()
        let mined = miner.mine("tag=\"unterminated value here")
        #expect(miner.template(for: mined.templateID) == "tag=\"<*> value here")
    }

    @Test func oneWordMessagesAreLookedUpDirectly() {
        var miner = TemplateMiner()
        let words = ["handleBatteryUpdate", "instantCollapse", "closeQs", "cancelAutohide"]
        let ids = words.map { miner.mine($0).templateID }
        #expect(Set(ids).count == words.count)
        for _ in 0..<3 {
            #expect(words.map { miner.mine($0).templateID } == ids)
        }
        #expect(miner.templateCount == words.count)
    }
}

