import RationCore
import Testing
@testable import TemplateMiner

/// Mines typical distinct templates and prints the bytes `maxTemplateBytes` accounts for per
/// template beside the growth of the process's anonymous memory per template (tree, indexes
/// and exact-match cache included; `scripts/memory-budget` runs it alone for
/// docs/operations.md, "Memory budget").
@Suite struct TemplateFootprintTests {
    @Test func accountedBytesPerTemplate() {
        let n = 10_000
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = n
        configuration.maxTemplateBytes = 1 << 30
        let before = ResidentMemory.anonymousBytes()
        var miner = TemplateMiner(configuration: configuration)
        for i in 0..<n {
            let w = TemplateBytesBudgetTests.word(i, length: 8)
            _ = miner.mine("\(w) service reported state change for component \(w)x after check on host db1 status degraded code 503")
        }
        let after = ResidentMemory.anonymousBytes()
        // A few lines fall under the wildcard branch of a full tree node and join a template.
        let count = miner.templateCount
        #expect(count > n * 9 / 10)
        let accounted = miner.templateBytes / count
        let resident = before.flatMap { b in after.map { ($0 - b) / count } }
        print("footprint: templates: \(count) templates, accounted \(accounted) B each, resident \(resident.map(String.init) ?? "-") B each")
        #expect(accounted > TemplateRecord.fixedBytes)
    }
}
