import Foundation
import RationCore
import Testing
@testable import Calibration

/// Label sources, their precedence, and what a teacher reply comes to.
@Suite struct LabelSourceTests {
    static func alert(_ id: UInt64, templates: [String], label: Verdict.Label?, at seconds: Double,
                      source: SourceID = "journal") -> Alert {
        let events = templates.enumerated().map {
            WindowEvent(time: EventTime(secondsSinceEpoch: seconds), templateID: TemplateID(UInt64($0.offset + 1)), message: $0.element)
        }
        var texts: [TemplateID: String] = [:]
        for (index, text) in templates.enumerated() { texts[TemplateID(UInt64(index + 1))] = text }
        let window = Window(key: SessionKey("k\(id)"), source: source, start: EventTime(secondsSinceEpoch: seconds),
                            end: EventTime(secondsSinceEpoch: seconds), events: events, templates: texts)
        return Alert(id: AlertID(id), firstSeen: window.start, lastSeen: window.end, window: window,
                     suspicion: Suspicion(score: 9, reasons: [], escalated: true), verdict: Verdict(label: .abnormal, status: .verified),
                     operatorLabel: label.map { OperatorLabel(label: $0, note: "n\(id)", time: EventTime(secondsSinceEpoch: seconds)) })
    }

    @Test func alertLabelsAttributeOnlyWhatTheWindowSays() {
        let (labels, unattributed) = TemplateLabels.alerts([
            Self.alert(1, templates: ["a <*>", "b"], label: .normal, at: 10),
            Self.alert(2, templates: ["c failed"], label: .abnormal, at: 20),
            Self.alert(3, templates: ["d", "e"], label: .abnormal, at: 30),
            Self.alert(4, templates: ["f"], label: nil, at: 40),
        ])
        #expect(labels.map(\.template) == ["a <*>", "b", "c failed"])
        #expect(labels.map(\.label) == [.normal, .normal, .abnormal])
        #expect(labels.allSatisfy { $0.origin == .alert })
        #expect(labels[2].time == 20)
        #expect(labels[2].note == "n2")
        #expect(unattributed == 1, "an abnormal two-template window says neither template is at fault")
    }

    @Test func laterSourcesWinAndTheNewestLabelWithinOne() {
        let file = [TemplateLabel(time: 1, template: "x", label: .normal, origin: .file),
                    TemplateLabel(time: 2, template: "y", label: .normal, origin: .file)]
        let alerts = [TemplateLabel(time: 50, template: "x", label: .abnormal, origin: .alert),
                      TemplateLabel(time: 40, template: "x", label: .normal, origin: .alert),
                      TemplateLabel(time: 45, template: "z", label: .abnormal, origin: .alert)]
        let overrides = [TemplateLabel(time: 30, template: "y", label: .abnormal, origin: .template)]
        let merged = TemplateLabels.merge([file, alerts, overrides])
        #expect(merged.map(\.template) == ["y", "z", "x"], "ordered by the winner's time")
        #expect(merged.map(\.label) == [.abnormal, .abnormal, .abnormal])
        #expect(merged.map(\.origin) == [.template, .alert, .alert])
    }

    @Test func csvNamesTheBadLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "EventTemplate,label_rectified\n\"a, b <*>\",1\nc,0\nd,maybe\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CalibrationError.badRecord(source: path, line: 4, reason: "label_rectified is \"maybe\", expected 0 or 1")) {
            try TemplateLabels.csv(path: path, column: "label_rectified")
        }
        try "EventTemplate,label_rectified\n\"a, b <*>\",1\nc,0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let labels = try TemplateLabels.csv(path: path, column: "label_rectified")
        #expect(labels == [TemplateLabel(time: 1, template: "a, b <*>", label: .abnormal, origin: .file),
                           TemplateLabel(time: 2, template: "c", label: .normal, origin: .file)])
    }

    @Test func teacherReplies() {
        let template = "ciod: failed to read message prefix on control stream"
        let good = "<think>The key phrase is \"failed to read message prefix\": the control stream broke, so the entry is abnormal.</think><answer>abnormal</answer>"
        guard case .kept(let analysis, let score) = TeacherReply(content: good, template: template, label: .abnormal) else {
            Issue.record("a verified, agreeing analysis is kept")
            return
        }
        #expect(analysis.hasPrefix("The key phrase"))
        #expect(score == 2.1)
        #expect(TeacherReply(content: good, template: template, label: .normal) == .disagrees(answer: .abnormal))
        guard case .malformed = TeacherReply(content: "It is abnormal.", template: template, label: .abnormal) else {
            Issue.record("no tags: malformed")
            return
        }
        let invented = "<think>The entry says \"disk on fire\", so it is abnormal.</think><answer>abnormal</answer>"
        guard case .malformed(let reason) = TeacherReply(content: invented, template: template, label: .abnormal) else {
            Issue.record("a quote that is not in the template fails verification")
            return
        }
        #expect(reason.contains("disk on fire"))
        let leaning = "<think>As the expert says, this is abnormal.</think><answer>abnormal</answer>"
        #expect(TeacherReply(content: leaning, template: template, label: .abnormal)
            == .malformed(reason: "analysis leans on the label hint (\"expert\")"))
        let inconsistent = "<think>Reading a prefix is routine, so the entry is normal.</think><answer>abnormal</answer>"
        guard case .malformed(let why) = TeacherReply(content: inconsistent, template: template, label: .abnormal) else {
            Issue.record("reasoning that concludes the other way is not kept")
            return
        }
        #expect(why.contains("concludes normal"))
    }

    @Test func appenderCutsATornTail() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("append-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"a\":1}\n{\"b\":".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try JSONLAppender.lines(of: path).map(\.text) == ["{\"a\":1}"])
        let appender = try JSONLAppender(path: path)
        #expect(appender.cutBytes == 5)
        try appender.append("{\"c\":3}")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"c\":3}\n")
    }
}
