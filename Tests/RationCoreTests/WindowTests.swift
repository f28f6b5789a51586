import Testing
@testable import RationCore

@Suite struct WindowTests {
    @Test func distinctTemplatesKeepFirstSeenOrder() {
        let t = EventTime(microsecondsSinceEpoch: 1)
        let events = [3, 1, 3, 2, 1].map { WindowEvent(time: t, templateID: TemplateID(UInt64($0)), message: "m") }
        let w = Window(key: "blk_1", source: "files", start: t, end: t, events: events)
        #expect(w.distinctTemplates == [TemplateID(3), TemplateID(1), TemplateID(2)])
        #expect(w.eventCount == 5)
    }

    @Test func eventTimeArithmetic() {
        let a = EventTime(microsecondsSinceEpoch: 1_000_000)
        let b = a.adding(.milliseconds(1500))
        #expect(b.microsecondsSinceEpoch == 2_500_000)
        #expect(b.since(a) == .milliseconds(1500))
        #expect(a < b)
    }

    @Test func priorityParsing() {
        #expect(Priority(parsing: "3") == .err)
        #expect(Priority(parsing: "WARN") == .warning)
        #expect(Priority(parsing: "bogus") == nil)
        #expect(Priority.err < Priority.warning)
    }

    @Test func verdictTrust() {
        #expect(Verdict(label: .abnormal, status: .verified).isTrustedAbnormal)
        #expect(!Verdict(label: .abnormal, status: .unverified(reason: "format")).isTrustedAbnormal)
        #expect(!Verdict.skipped("budget").isTrustedAbnormal)
    }
}
