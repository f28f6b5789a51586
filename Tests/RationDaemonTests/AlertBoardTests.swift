import Control
import RationCore
import RationDaemon
import Testing

@Suite struct AlertBoardTests {
    static func alert(_ id: UInt64, unit: String = "a.service", seconds: Int64 = 0, label: Verdict.Label? = .abnormal,
                      status: Verdict.Status = .verified) -> Alert {
        let t = EventTime(microsecondsSinceEpoch: 1_764_000_000_000_000 + seconds * 1_000_000)
        let window = Window(key: SessionKey(unit), source: "journal", start: t, end: t,
                            events: [WindowEvent(time: t, templateID: TemplateID(id), message: "m\(id)", unit: unit)])
        return Alert(id: AlertID(id), firstSeen: t, lastSeen: t, window: window,
                     suspicion: Suspicion(score: 0.8, reasons: [], escalated: true),
                     verdict: Verdict(label: label, status: status))
    }

    @Test func keepsTheNewestWithinCapacity() {
        let board = AlertBoard(capacity: 3)
        for i in 1...5 { board.publish(Self.alert(UInt64(i), seconds: Int64(i))) }
        #expect(board.count == 3)
        #expect(board.alerts(matching: AlertQuery()).map(\.id.rawValue) == [5, 4, 3])
        #expect(board.alert(id: AlertID(1)) == nil)
        #expect(board.last?.id == AlertID(5))
    }

    /// Alerts with long messages fill the board's bytes before its count: the first
    /// published go first, and the board never holds more than its bytes (plus the newest).
    @Test func keepsTheNewestWithinItsBytes() {
        func big(_ id: UInt64) -> Alert {
            var a = Self.alert(id, seconds: Int64(id))
            a.window.events[0].message = String(repeating: "x", count: 10_000)
            return a
        }
        // Room for three (ids of two digits encode one byte longer), not four.
        let room = AlertBoard.bytes(of: big(10)) * 3 + 100
        let board = AlertBoard(capacity: 1_000, maxBytes: room)
        for i in 1...10 { board.publish(big(UInt64(i))) }
        #expect(board.count == 3)
        #expect(board.bytes <= room)
        #expect(board.alerts(matching: AlertQuery()).map(\.id.rawValue) == [10, 9, 8])
        // An update does not make an old alert new again.
        var updated = big(8)
        updated.count = 2
        board.publish(updated)
        board.publish(big(11))
        #expect(board.alert(id: AlertID(8)) == nil)
        #expect(board.alerts(matching: AlertQuery()).map(\.id.rawValue) == [11, 10, 9])
    }

    @Test func updatesReplaceInPlaceAndReachFollowers() async {
        let board = AlertBoard()
        board.publish(Self.alert(1, unit: "x.service"))
        let stream = board.follow()
        #expect(board.followerCount == 1)
        var updated = Self.alert(1, unit: "x.service")
        updated.count = 7
        board.publish(updated)
        let labelled = board.update(id: AlertID(1)) {
            $0.operatorLabel = OperatorLabel(label: .normal, time: EventTime(microsecondsSinceEpoch: 1))
        }
        #expect(labelled?.operatorLabel?.label == .normal)
        #expect(board.count == 1)
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next()?.count == 7)
        #expect(await iterator.next()?.operatorLabel?.label == .normal)
        board.finish()
        #expect(await iterator.next() == nil)
    }

    @Test func laggingFollowerLosesTheOldestNotThePipeline() async {
        let board = AlertBoard(capacity: 100, followerBuffer: 4)
        let stream = board.follow()
        for i in 1...10 { board.publish(Self.alert(UInt64(i))) }
        board.finish()
        var received: [UInt64] = []
        for await a in stream { received.append(a.id.rawValue) }
        #expect(received == [7, 8, 9, 10])
    }

    @Test func journalPriorityFollowsTheVerdict() {
        #expect(JournalAlertWriter.priority(of: Self.alert(1)) == 3)
        #expect(JournalAlertWriter.priority(of: Self.alert(1, label: .abnormal, status: .unverified(reason: "x"))) == 4)
        #expect(JournalAlertWriter.priority(of: Self.alert(1, label: nil, status: .skipped(reason: "budget"))) == 4)
        #expect(JournalAlertWriter.priority(of: Self.alert(1, label: .normal)) == 6)
        var overridden = Self.alert(1, label: .normal)
        overridden.operatorLabel = OperatorLabel(label: .abnormal, time: .zero)
        #expect(JournalAlertWriter.priority(of: overridden) == 3)
        // The model's normal does not hide what triage saw: an err line, a never-seen template.
        var errLine = Self.alert(1, label: .normal)
        errLine.window.events[0].priority = .err
        #expect(JournalAlertWriter.priority(of: errLine) == 3)
        var novel = Self.alert(1, label: .normal)
        novel.suspicion.reasons = [SuspicionReason(kind: .newTemplate, score: 1, detail: "never seen")]
        #expect(JournalAlertWriter.priority(of: novel) == 4)
        // The operator's normal does.
        errLine.operatorLabel = OperatorLabel(label: .normal, time: .zero)
        #expect(JournalAlertWriter.priority(of: errLine) == 6)
        let fields = JournalAlertWriter.fields(of: Self.alert(42), demo: true)
        #expect(fields.contains("MESSAGE_ID=\(JournalAlertWriter.messageID)"))
        #expect(fields.contains("RATIOND_ALERT_ID=42"))
        #expect(fields.contains("RATIOND_DEMO=1"))
        #expect(fields.contains { $0.hasPrefix("MESSAGE=alert 42: journal a.service: score 0.80, verdict abnormal [demo model]") })
    }
}
