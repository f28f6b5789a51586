import RationCore
import Testing
@testable import TemplateMiner

/// `maxTemplateBytes`: long templates are evicted by the bytes they hold, least recently
/// matched first, well before `maxTemplates` is reached.
@Suite struct TemplateBytesBudgetTests {
    /// A word of letters only (no digits, so no mask makes it a value) that differs per `n`.
    static func word(_ n: Int, length: Int) -> String {
        var letters = ""
        var v = n
        repeat {
            letters.append(Character(UnicodeScalar(UInt8(97 + v % 26))))
            v /= 26
        } while v > 0
        return letters + String(repeating: "q", count: max(0, length - letters.count))
    }

    /// Twenty words of `wordLength` bytes, every one distinct to line `n`: its own template.
    static func longLine(_ n: Int, wordLength: Int = 200) -> String {
        (0..<20).map { word(n * 20 + $0, length: wordLength) }.joined(separator: " ")
    }

    @Test func longTemplatesAreEvictedByTheirBytes() {
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = 10_000
        configuration.maxTemplateBytes = 64 << 10
        var miner = TemplateMiner(configuration: configuration)
        var ids: [TemplateID] = []
        var mostBytes = 0
        for n in 0..<200 {
            let mined = miner.mine(Self.longLine(n))
            #expect(mined.isNewTemplate)
            ids.append(mined.templateID)
            mostBytes = max(mostBytes, miner.templateBytes)
        }
        #expect(mostBytes <= configuration.maxTemplateBytes)
        let perTemplate = miner.templateBytes / miner.templateCount
        #expect(perTemplate > 4_000, "each template holds its 4 KiB of text")
        #expect(miner.templateCount == configuration.maxTemplateBytes / perTemplate)
        #expect(miner.statistics.evictions == UInt64(200 - miner.templateCount))
        // The newest are kept, the oldest gone.
        #expect(ids.suffix(miner.templateCount).allSatisfy { miner.template(for: $0) != nil })
        #expect(ids.prefix(200 - miner.templateCount).allSatisfy { miner.template(for: $0) == nil })
    }

    @Test func shortTemplatesStayBoundByCount() {
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = 100
        var miner = TemplateMiner(configuration: configuration)
        var ids: [TemplateID] = []
        for n in 0..<300 {
            let mined = miner.mine(Self.longLine(n, wordLength: 8))
            #expect(mined.isNewTemplate)
            ids.append(mined.templateID)
        }
        #expect(miner.templateCount == 100)
        #expect(miner.templateBytes < configuration.maxTemplateBytes)
        #expect(ids.suffix(100).allSatisfy { miner.template(for: $0) != nil })
    }

    @Test func accountingFollowsEvictionsExactly() {
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = 10
        var miner = TemplateMiner(configuration: configuration)
        for n in 0..<50 { _ = miner.mine(Self.longLine(n)) }
        let recomputed = miner.records.compactMap { $0 }.reduce(0) { $0 + $1.bytes }
        #expect(miner.templateBytes == recomputed)
    }
}
