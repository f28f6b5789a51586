import Control
import RationCore
import Testing

/// One wording of a verdict for every alert view (rationctl, rationd alerts, the journal).
@Suite struct VerdictTextTests {
    func record(_ verdict: Verdict, operatorLabel: Verdict.Label? = nil) -> AlertRecord {
        let zero = EventTime(microsecondsSinceEpoch: 0)
        let window = Window(key: SessionKey("k"), source: SourceID("files.app"), start: zero, end: zero, events: [])
        let alert = Alert(id: AlertID(1), firstSeen: zero, lastSeen: zero, window: window,
                          suspicion: Suspicion(score: 1, reasons: [], escalated: true), verdict: verdict,
                          operatorLabel: operatorLabel.map { OperatorLabel(label: $0, time: zero) })
        return AlertRecord(alert)
    }

    @Test func trustedVerdictsAreTheirLabel() {
        #expect(record(Verdict(label: .abnormal, status: .verified)).verdictText() == "abnormal")
    }

    @Test func untrustedVerdictsSayWhy() {
        let unverified = record(Verdict(label: .normal, status: .unverified(reason: "no evidence")))
        #expect(unverified.verdictText() == "normal (unverified: no evidence)")
        #expect(unverified.verdictText(withReason: false) == "normal (unverified)")
        #expect(record(Verdict.skipped("call budget exhausted")).verdictText() == "none (skipped: call budget exhausted)")
    }

    @Test func theOperatorWins() {
        let labelled = record(Verdict(label: .abnormal, status: .verified), operatorLabel: .normal)
        #expect(labelled.verdictText() == "normal (operator)")
    }
}
