import Foundation
import RationCore
import Testing
@testable import TemplateMiner

/// Pins the templates (text and line count) mined from HDFS_2k.log with the default
/// configuration. A change to masking or matching that alters them fails here; when the
/// change is intended, regenerate Fixtures/HDFS_2k.templates with
/// `rationlab parse --log-format '<Date> <Time> <Pid> <Level> <Component>: <Content>' --summary`
/// (count, tab, template per line) and review the difference.
@Suite struct GoldenTemplateTests {
    @Test func hdfsTemplatesMatchTheGoldenFile() throws {
        var miner = TemplateMiner()
        var ids: [TemplateID] = []
        for line in try Fixture.hdfsContents() { ids.append(miner.mine(line).templateID) }
        var counts: [TemplateID: Int] = [:]
        for id in ids { counts[id, default: 0] += 1 }
        let mined = counts.map { "\($0.value)\t\(miner.template(for: $0.key) ?? "?")" }.sorted()
        let golden = try Fixture.lines("HDFS_2k.templates").sorted()
        #expect(mined == golden)
    }
}
