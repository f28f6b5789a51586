import Foundation
import RationCore
import Reasoning
import Testing
@testable import Calibration

@Suite struct SFTExportTests {
    static let lines = [
        #"{"time": "2026-11-20T10:00:00Z", "template": "Disk <*> write failed", "label": "abnormal", "analysis": "A failed write loses data."}"#,
        #"{"time": 1700000000, "template": "Session opened for user <*>", "label": "normal", "analysis": "Routine login."}"#,
        #"{"time": "2026-11-21T10:00:00Z", "template": "Connection from <*> closed", "label": "Normal", "analysis": "Clients disconnect."}"#,
        #"{"time": 1800000000, "template": "Kernel panic - not syncing", "label": "abnormal", "analysis": "The node crashed."}"#,
    ]

    func items() throws -> [LabelledTemplate] {
        try Self.lines.enumerated().map { try LabelledTemplate.decode($0.element, source: "labels.jsonl", lineNumber: $0.offset + 1) }
    }

    @Test func everyLineIsValidJSONWithTheExpectedRolesAndTags() throws {
        let split = try SFTExport(validationFraction: 0.25).split(try items())
        for example in split.train + split.validation {
            let line = example.jsonLine()
            #expect(!line.contains("\n"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let messages = try #require(object["messages"] as? [[String: String]])
            #expect(messages.map { $0["role"] } == ["system", "user", "assistant"])
            #expect(messages[0]["content"] == PromptSet.rationAnomaly.system)
            #expect(messages[1]["content"]!.hasPrefix(PromptSet.rationAnomaly.templateInstruction + "\n"))
            let reply = messages[2]["content"]!
            let parsed = try ReplyFormat.parseTags(reply).get()
            let label = try #require(parsed.label, "assistant reply's answer is not a label: \(reply)")
            // The reward's own parser accepts it, and the perfect analysis scores the maximum.
            #expect(CompletionReward(completion: reply, label: label, reference: parsed.think).total > 2.09)
        }
    }

    @Test func splitIsChronologicalWithClassBalance() throws {
        // Times: line 2 = 1700000000 (2023), line 1 = 2026-11-20, line 3 = 2026-11-21, line 4 = 1800000000 (2027).
        let split = try SFTExport(validationFraction: 0.5).split(try items())
        // The template is the fenced line: the one before the closing </log-data>.
        let templates = (split.train + split.validation).map { $0.messages[1].content.split(separator: "\n").dropLast().last.map(String.init) }
        #expect(templates == ["Session opened for user <*>", "Disk <*> write failed", "Connection from <*> closed",
                              "Kernel panic - not syncing"])
        #expect(split.train.count == 2 && split.validation.count == 2)
        #expect(split.trainBalance == [.normal: 1, .abnormal: 1])
        #expect(split.validationBalance == [.normal: 1, .abnormal: 1])
        #expect(split.validation.last?.messages[2].content == "<think>The node crashed.</think><answer>abnormal</answer>")
    }

    @Test func badLinesNameTheLineAndProblem() {
        #expect(throws: CalibrationError.badRecord(source: "l.jsonl", line: 4, reason: "missing key \"time\"")) {
            try LabelledTemplate.decode(#"{"template":"t","label":"normal","analysis":"a"}"#, source: "l.jsonl", lineNumber: 4)
        }
        #expect(throws: CalibrationError.self) {
            try LabelledTemplate.decode(#"{"time":"yesterday","template":"t","label":"normal","analysis":"a"}"#, source: "l.jsonl", lineNumber: 1)
        }
        #expect(throws: CalibrationError.self) { try SFTExport(validationFraction: 1) }
    }
}
