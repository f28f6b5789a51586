import Evaluation
import Foundation
import RationCore
import TemplateMiner
import Testing
@testable import Triage

/// Pins the detection figures the README reports (`rationlab eval detection …`, default
/// configuration) on the bundled datasets, through the real miner, so a regression in the
/// miner, the sessionizer or triage fails CI.
@Suite struct DetectionFiguresTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil),
                               "missing fixture \(name)")
        return Array(try Data(contentsOf: url))
    }

    static func replay(_ dataset: DetectionDataset, threshold: Double? = nil) throws -> DetectionReplay {
        var configuration = TriageConfiguration.default
        configuration.warmupWindows = dataset.warmupWindows
        configuration.escalationBudgetPerHour = nil
        if let threshold { configuration.threshold = threshold }
        var miner = TemplateMiner()
        return try DetectionReplay.run(dataset, triage: configuration) { record in
            let mined = miner.mine(record.message)
            return (mined.templateID, miner.template(for: mined.templateID) ?? "")
        }
    }

    static func hdfs5k() throws -> DetectionDataset {
        try DetectionDataset.hdfsLog(log: fixture("HDFS_5k.log"), labelsCSV: fixture("HDFS_5k_block_labels.csv"))
    }

    @Test func hdfs5kBlocks() throws {
        let data = try Self.hdfs5k()
        #expect(data.sessions.count == 110)
        let m = try Self.replay(data).metrics(data)
        #expect(m.anomalies == 10)
        // All ten, including the blocks closing 3rd and 16th, before much is learned: a new
        // template is judged by the lower confidence bound of the new-template rate.
        #expect(m.escalatedAnomalies == 10, "\(m)")
        #expect(m.escalationRate <= 0.11, "\(m)")
        // A lower threshold escalates them all too, at a higher escalation rate.
        let low = try Self.replay(data, threshold: 5).metrics(data)
        #expect(low.escalatedAnomalies == 10, "\(low)")
        #expect(low.escalationRate <= 0.21, "\(low)")
    }

    @Test func bglFixedWindows() throws {
        let data = try DetectionDataset.bglWindows(log: Self.fixture("BGL_2k.log"))
        #expect(data.sessions.count == 100)
        #expect(data.records.allSatisfy { $0.message.first != UInt8(ascii: "-") })   // label stripped
        let m = try Self.replay(data).metrics(data)
        #expect(m.anomalies == 28)
        #expect(m.escalatedAnomalies >= 27, "\(m)")
        #expect(m.escalationRate <= 0.45, "\(m)")
    }

    @Test func hdfs100kTestSplit() throws {
        let data = try DetectionDataset.hdfsSessions(sessionsCSV: Self.fixture("hdfs100k_sessions.csv"),
                                                     templatesCSV: Self.fixture("hdfs100k_templates.csv"))
        #expect(data.warmupWindows == 6_352)
        #expect(data.sessions.count == 1_588)
        let replay = try Self.replay(data)
        let m = replay.metrics(data)
        #expect(m.anomalies == 57)
        #expect(m.escalatedAnomalies >= 31, "\(m)")
        #expect(m.escalationRate <= 0.03, "\(m)")
        #expect(m.precision >= 0.75, "\(m)")
        // No train session is ever escalated (they are the warm-up).
        #expect(replay.triage.statistics.escalated == m.escalated)
        // What any detector seeing only template sequences could reach at 8 % escalation.
        let ceiling = DetectionMetrics.ceiling(sequences: data.sequences, labels: data.labels, maxRate: 0.08)
        #expect(ceiling.anomalies == 42)
        // And what recall 0.98 (56 of 57) would cost such a detector: 826 sessions, 52 %.
        #expect(DetectionMetrics.minimumEscalations(sequences: data.sequences, labels: data.labels, anomalies: 56) == 826)
    }

    /// Hand-computed: groups "a" (3 sessions, 2 anomalous), "b" (1, 1), "c" (4, 1), "d" (2, 0).
    @Test func minimumEscalationsTakesTheCheapestWholeGroups() {
        let sequences = ["s1": "a", "s2": "a", "s3": "a", "s4": "b", "s5": "c", "s6": "c", "s7": "c", "s8": "c", "s9": "d", "s10": "d"]
        let labels = ["s1": true, "s2": true, "s4": true, "s5": true]
        func needed(_ n: Int) -> Int? { DetectionMetrics.minimumEscalations(sequences: sequences, labels: labels, anomalies: n) }
        #expect(needed(0) == 0)
        #expect(needed(1) == 1)   // b
        #expect(needed(2) == 3)   // a
        #expect(needed(3) == 4)   // a + b
        #expect(needed(4) == 8)   // a + b + c
        #expect(needed(5) == nil)
    }

    @Test func replayIsDeterministic() throws {
        let data = try Self.hdfs5k()
        let a = try Self.replay(data)
        let b = try Self.replay(data)
        #expect(a.outcomes == b.outcomes)
        #expect(try a.triage.snapshot() == b.triage.snapshot())
        let csv = a.predictionsCSV(sessions: data.sessions)
        #expect(csv.hasPrefix("session,predicted,escalated\n"))
        #expect(csv.split(separator: "\n").count == 111)
    }

    @Test func restartMidStreamGivesTheSameVerdicts() throws {
        // Learn half of BGL_2k, snapshot, restore into a fresh triage, finish: same verdicts
        // as an uninterrupted run.
        let data = try DetectionDataset.bglWindows(log: Self.fixture("BGL_2k.log"))
        let whole = try Self.replay(data)
        var configuration = TriageConfiguration.default
        configuration.warmupWindows = 0
        configuration.escalationBudgetPerHour = nil
        var miner = TemplateMiner()
        var sessionizer = try Sessionizer(configuration: data.sessionizer)
        var triage = try Triage(configuration: configuration)
        var verdicts: [String: Bool] = [:]
        for (k, record) in data.records.enumerated() {
            if k == data.records.count / 2 {
                triage = try Triage(snapshot: triage.snapshot(), configuration: configuration)
            }
            let mined = miner.mine(record.message)
            for window in sessionizer.add(record, templateID: mined.templateID,
                                          templateText: miner.template(for: mined.templateID) ?? "") {
                verdicts[window.key.rawValue] = triage.assess(window).escalated
            }
        }
        for window in sessionizer.flush() { verdicts[window.key.rawValue] = triage.assess(window).escalated }
        #expect(verdicts.count == 100)
        for session in data.sessions {
            #expect(verdicts[session] == whole.outcomes[session]?.escalated, "\(session)")
        }
        #expect(verdicts.values.contains(true))
    }

    @Test func malformedDatasetNamesFileAndLine() {
        #expect(throws: TriageError.invalidDataset(file: "sessions", line: 2, reason: "unknown template id 99")) {
            try DetectionDataset.hdfsSessions(sessionsCSV: Array("BlockId,Split,Label,TemplateIdSeq\nblk_1,train,0,1 99\n".utf8),
                                              templatesCSV: Array("TemplateId,Template\n1,a <*>\n".utf8))
        }
    }
}
