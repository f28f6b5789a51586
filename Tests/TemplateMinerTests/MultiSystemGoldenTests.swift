import Foundation
import RationCore
import Testing
@testable import TemplateMiner

/// Templates of eight systems mined with the default configuration, one miner per system
/// as `scripts/eval-parsing` runs them: the first 300 lines of each, with Loghub's event ids
/// (Fixtures/multi-system-2400.tsv: system, event id, content). The golden file pins every
/// template and its line count; grouping accuracy against the event ids is checked beside it,
/// so a change that alters the golden file shows whether it helped. When a change is meant,
/// regenerate the golden file with the loop in Fixtures/README.md and review the difference.
@Suite struct MultiSystemGoldenTests {
    struct Line {
        var system: String
        var event: String
        var content: String
    }

    static func fixture() throws -> [Line] {
        try Fixture.lines("multi-system-2400.tsv").map { row in
            let fields = row.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { throw Fixture.FixtureError.unparsable(row) }
            return Line(system: String(fields[0]), event: String(fields[1]), content: String(fields[2]))
        }
    }

    /// Per system in fixture order: each line's template id and the miner that made them.
    static func mine(_ lines: [Line]) -> [(system: String, lines: [Line], ids: [TemplateID], miner: TemplateMiner)] {
        var result: [(system: String, lines: [Line], ids: [TemplateID], miner: TemplateMiner)] = []
        for line in lines {
            if result.last?.system != line.system {
                result.append((line.system, [], [], TemplateMiner()))
            }
            let id = result[result.count - 1].miner.mine(line.content).templateID
            result[result.count - 1].lines.append(line)
            result[result.count - 1].ids.append(id)
        }
        for i in result.indices {
            let miner = result[i].miner
            result[i].ids = result[i].ids.map { miner.resolve($0) }
        }
        return result
    }

    /// Share of lines whose mined group is exactly their event's group (Loghub's GA).
    static func groupingAccuracy(events: [String], ids: [TemplateID]) -> Double {
        var byEvent: [String: Set<Int>] = [:]
        var byTemplate: [TemplateID: Set<Int>] = [:]
        for (i, (event, id)) in zip(events, ids).enumerated() {
            byEvent[event, default: []].insert(i)
            byTemplate[id, default: []].insert(i)
        }
        var correct = 0
        for group in byTemplate.values where byEvent[events[group.min()!]] == group { correct += group.count }
        return Double(correct) / Double(events.count)
    }

    @Test func templatesOfEightSystemsMatchTheGoldenFile() throws {
        var mined: [String] = []
        for system in Self.mine(try Self.fixture()) {
            var counts: [TemplateID: Int] = [:]
            for id in system.ids { counts[id, default: 0] += 1 }
            for (id, count) in counts {
                mined.append("\(system.system)\t\(count)\t\(system.miner.template(for: id) ?? "?")")
            }
        }
        let golden = try Fixture.lines("multi-system-2400.templates")
        #expect(mined.count == golden.count)
        #expect(mined.sorted() == golden.sorted())
    }

    @Test func groupingAccuracyHoldsOnEverySystem() throws {
        let systems = Self.mine(try Self.fixture())
        #expect(systems.count == 8)
        var total = 0.0
        for system in systems {
            let ga = Self.groupingAccuracy(events: system.lines.map(\.event), ids: system.ids)
            total += ga
            #expect(ga >= 0.8, "\(system.system): GA \(ga)")
        }
        #expect(total / Double(systems.count) >= 0.94)
    }

    @Test func groupingAccuracyPunishesSplitsAndMerges() {
        let events = ["A", "A", "B", "B"]
        let (a, b, c) = (TemplateID(1), TemplateID(2), TemplateID(3))
        #expect(Self.groupingAccuracy(events: events, ids: [a, a, b, b]) == 1)
        #expect(Self.groupingAccuracy(events: events, ids: [a, a, a, a]) == 0)
        #expect(Self.groupingAccuracy(events: events, ids: [a, c, b, b]) == 0.5)
    }
}
