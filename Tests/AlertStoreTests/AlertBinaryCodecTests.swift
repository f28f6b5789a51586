import Evaluation
import Testing
import RationCore
@testable import AlertStore

@Suite struct AlertBinaryCodecTests {
    func roundTrip(_ stored: StoredAlert) throws -> StoredAlert {
        var w = ByteWriter()
        w.raw([9, 9, 9])
        AlertBinaryCodec.encode(stored, into: &w)
        w.raw([7])
        return try AlertBinaryCodec.decode(w.bytes, 3..<(w.bytes.count - 1))
    }

    @Test func everyFieldRoundTrips() throws {
        let synthetic = SyntheticAlerts(units: 3, eventsPerWindow: 5, repeatEvery: 0)
        for n in 0..<10 {
            let s = StoredAlert(alert: synthetic.alert(n))
            #expect(try roundTrip(s) == s)
        }
        var a = synthetic.alert(3)
        a.host = nil
        a.window.events[0].priority = nil
        a.window.events[1].unit = nil
        a.window.events[2].message = "ünïcödé \u{1F600} \"quoted\" \\ back\nslash"
        a.suspicion.reasons.append(SuspicionReason(kind: .rareTransition, score: 0.5, templateID: TemplateID(3),
                                                   previousTemplateID: TemplateID(2), detail: ""))
        a.verdict = Verdict(label: .abnormal, status: .unverified(reason: "answer contradicts reasoning"),
                            rationale: "<think>x</think>", model: nil, verifierScore: -1.5, latency: .nanoseconds(1_234_567),
                            promptTokens: nil, completionTokens: 7, cached: true)
        a.operatorLabel = OperatorLabel(label: .normal, note: nil, time: EventTime(microsecondsSinceEpoch: 5))
        var s = StoredAlert(alert: a)
        s.histogram.record(a.firstSeen.adding(.seconds(7200)), count: 3)
        #expect(try roundTrip(s) == s)
        a.verdict = Verdict(label: nil, status: .operatorOverride)
        a.operatorLabel = OperatorLabel(label: .abnormal, note: "seen before", time: .zero)
        #expect(try roundTrip(StoredAlert(alert: a)) == StoredAlert(alert: a))
    }

    @Test func truncatedOrNewerPayloadIsRejected() throws {
        var w = ByteWriter()
        AlertBinaryCodec.encode(StoredAlert(alert: SyntheticAlerts().alert(1)), into: &w)
        for cut in [0, 1, 10, w.bytes.count / 2, w.bytes.count - 1] {
            #expect(throws: AlertBinaryCodec.Failure.self) { _ = try AlertBinaryCodec.decode(w.bytes, 0..<cut) }
        }
        var newer = w.bytes
        newer[0] = AlertBinaryCodec.format + 1
        #expect(throws: AlertBinaryCodec.Failure.self) { _ = try AlertBinaryCodec.decode(newer, 0..<newer.count) }
    }
}
