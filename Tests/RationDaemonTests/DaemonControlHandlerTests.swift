import Control
import RationCore
import RationDaemon
import Testing

/// The daemon's answer to LabelAlert: a label that would reach a template too broad to label
/// is refused before anything is labelled, unless forced.
@Suite struct DaemonControlHandlerTests {
    static func alert(templates: [String]) -> Alert {
        let t = EventTime(microsecondsSinceEpoch: 1_764_000_000_000_000)
        var texts: [TemplateID: String] = [:]
        var events: [WindowEvent] = []
        for (offset, text) in templates.enumerated() {
            let id = TemplateID(UInt64(offset + 1))
            texts[id] = text
            events.append(WindowEvent(time: t, templateID: id, message: text.replacingOccurrences(of: "<*>", with: "7")))
        }
        let window = Window(key: SessionKey("u"), source: "journal", start: t, end: t, events: events, templates: texts)
        return Alert(id: AlertID(1), firstSeen: t, lastSeen: t, window: window,
                     suspicion: Suspicion(score: 0.8, reasons: [], escalated: true), verdict: Verdict(label: .abnormal, status: .verified))
    }

    static func handler(_ board: AlertBoard) -> DaemonControlHandler {
        DaemonControlHandler(version: "test", board: board, pipeline: IdlePipeline(budgetPerMinute: 1, demo: false), reloader: { [] })
    }

    static let label = OperatorLabel(label: .normal, note: "maintenance", time: EventTime(microsecondsSinceEpoch: 1))

    @Test func aNormalLabelReachingABroadTemplateIsRefusedAndLabelsNothing() async throws {
        let board = AlertBoard()
        board.publish(Self.alert(templates: ["cron <*> started", "<*>"]))
        let handler = Self.handler(board)
        await #expect(throws: ControlError.labelTooBroad(template: "<*>", literalWords: 0)) {
            _ = try await handler.labelAlert(id: AlertID(1), label: Self.label, force: false)
        }
        #expect(board.alert(id: AlertID(1))?.operatorLabel == nil)

        let forced = try await handler.labelAlert(id: AlertID(1), label: Self.label, force: true)
        #expect(forced.alert.operatorLabel == Self.label)
        #expect(board.alert(id: AlertID(1))?.operatorLabel == Self.label)
    }

    /// Abnormal on a window of several templates implies no template label: nothing to refuse.
    @Test func anAbnormalLabelOnSeveralTemplatesNeedsNoForce() async throws {
        let board = AlertBoard()
        board.publish(Self.alert(templates: ["cron <*> started", "<*>"]))
        let labelled = try await Self.handler(board).labelAlert(
            id: AlertID(1), label: OperatorLabel(label: .abnormal, time: EventTime(microsecondsSinceEpoch: 1)), force: false)
        #expect(labelled.alert.operatorLabel?.label == .abnormal)
    }
}
