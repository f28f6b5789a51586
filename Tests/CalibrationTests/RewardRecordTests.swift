import Testing
@testable import Calibration

@Suite struct RewardRecordTests {
    @Test func decodesALineWithOptionalReference() throws {
        let record = try RewardRecord.decode(#"{"completion":"<think>x</think><answer>normal</answer>","label":"Normal"}"#,
                                             source: "in.jsonl", lineNumber: 1)
        #expect(record.label == .normal)
        #expect(record.reference == nil)
    }

    @Test func errorsNameTheSourceLineAndProblem() {
        #expect(throws: CalibrationError.badRecord(source: "in.jsonl", line: 7, reason: "label \"weird\" is not normal or abnormal")) {
            try RewardRecord.decode(#"{"completion":"c","label":"weird"}"#, source: "in.jsonl", lineNumber: 7)
        }
        #expect(throws: CalibrationError.badRecord(source: "in.jsonl", line: 2, reason: "missing key \"completion\"")) {
            try RewardRecord.decode(#"{"label":"normal"}"#, source: "in.jsonl", lineNumber: 2)
        }
        #expect(throws: CalibrationError.self) { try RewardRecord.decode("not json", source: "in.jsonl", lineNumber: 3) }
    }
}
