import Evaluation
import Foundation
import Testing
import RationCore
@testable import AlertStore

/// The decision alone: which alerts of a removed segment the quotas carry forward.
@Suite struct CarryForwardPlanTests {
    let synthetic = SyntheticAlerts(units: 3, eventsPerWindow: 4, repeatEvery: 0)

    func candidate(_ n: Int, source: SourceID, abnormal: Bool = false, bytes: Int = 1000) -> CarryForwardPlan.Candidate {
        var a = synthetic.alert(n)
        a.id = AlertID(UInt64(n + 1))
        a.window.source = source
        a.verdict = abnormal ? Verdict(label: .abnormal, status: .verified) : Verdict(label: .normal, status: .verified)
        return .init(index: RecordIndex(StoredAlert(alert: a)), bytes: bytes)
    }

    @Test func oneSourceWithoutProtectedAlertsCarriesNothing() {
        let candidates = (0..<10).map { candidate($0, source: "journal") }
        let plan = CarryForwardPlan(candidates: candidates, remaining: ["journal": SourceUsage(alerts: 100, bytes: 100_000)],
                                    quota: StoreQuota())
        #expect(plan.carried.isEmpty)
    }

    @Test func aSourceUnderItsShareKeepsItsAlertsAndTheNoisyOneDoesNot() {
        let candidates = (0..<10).map { candidate($0, source: $0 % 5 == 0 ? "quiet" : "noisy") }
        let plan = CarryForwardPlan(candidates: candidates,
                                    remaining: ["noisy": SourceUsage(alerts: 95, bytes: 95_000),
                                                "quiet": SourceUsage(alerts: 5, bytes: 5000)],
                                    quota: StoreQuota())
        #expect(plan.carried == [0, 5])
    }

    @Test func protectedAlertsStayWithinTheirShareNewestFirst() {
        let candidates = (0..<10).map { candidate($0, source: "journal", abnormal: $0 % 2 == 0) }
        // 49,000 of 100,000 bytes are protected already: room for one more of 1000 at 0.5.
        let plan = CarryForwardPlan(candidates: candidates,
                                    remaining: ["journal": SourceUsage(alerts: 100, bytes: 100_000, protectedAlerts: 49,
                                                                       protectedBytes: 49_000)],
                                    quota: StoreQuota())
        #expect(plan.carried == [8])
        let none = CarryForwardPlan(candidates: candidates,
                                    remaining: ["journal": SourceUsage(alerts: 100, bytes: 100_000)],
                                    quota: StoreQuota(protectedShare: 0))
        #expect(none.carried.isEmpty)
    }

    @Test func atMostHalfTheSegmentAndTheAllowanceAreCarried() {
        let candidates = (0..<10).map { candidate($0, source: "journal", abnormal: true) }
        let remaining = ["journal": SourceUsage(alerts: 100, bytes: 100_000)]
        let plan = CarryForwardPlan(candidates: candidates, remaining: remaining, quota: StoreQuota())
        #expect(plan.carried == [5, 6, 7, 8, 9])
        #expect(plan.carriedBytes == 5000)
        let limited = CarryForwardPlan(candidates: candidates, remaining: remaining, quota: StoreQuota(), allowance: 2500)
        #expect(limited.carried == [8, 9])
    }

    @Test func alertsPastTheRetentionAgeAreNotCarried() {
        let candidates = (0..<4).map { candidate($0, source: "journal", abnormal: true) }
        let cutoff = candidates[2].index.lastSeen
        let plan = CarryForwardPlan(candidates: candidates, remaining: ["journal": SourceUsage(alerts: 100, bytes: 100_000)],
                                    quota: StoreQuota(), expiresBefore: cutoff)
        #expect(plan.carried == [2, 3])
    }

    /// A footer written before per-source usage: the usage is measured from the blocks instead.
    @Test func usageOfASegmentWithoutItInTheFooterIsMeasured() throws {
        let records = (0..<40).map { n -> (RecordIndex, [UInt8]) in
            var a = synthetic.alert(n)
            a.id = AlertID(UInt64(n + 1))
            if n % 3 == 0 { a.window.source = "files.app" }
            let (index, body, _) = RecordIndex.encodeBody(StoredAlert(alert: a))
            return (index, body)
        }
        let dir = TestDirectory("usage")
        defer { dir.remove() }
        let codec = ZstdBlockCodec(level: 3)
        let (built, bytes) = try SealedSegment.build(path: dir.path + "/seg", seq: 1, firstNewID: 1,
                                                     records: records.map { ($0.0, $0.1[...]) }, blockMaxBytes: 4096, codec: codec)
        try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/seg"))
        let expected = try #require(built.usage)
        #expect(expected["files.app"]?.alerts == 14)
        #expect(expected.values.reduce(0) { $0 + $1.bytes } == records.reduce(0) { $0 + $1.1.count })
        let opened = try SealedSegment.open(path: dir.path + "/seg", seq: 1, verify: true, codec: codec)
        #expect(opened.usage == expected)
        opened.usage = nil
        #expect(opened.measuredUsage(codec: codec) == expected)
    }
}
