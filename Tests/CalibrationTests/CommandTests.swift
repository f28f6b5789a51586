import Foundation
import ProcessTestSupport
import Testing

/// Runs the real `rationlab reward`, `export` and `distill` on temporary files.
@Suite struct CommandTests {
    static var rationlab: String { Binaries.path("rationlab") }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.rationlab)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calibration-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func rewardWritesOneObjectPerGoodLineAndNamesTheBadOne() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/in.jsonl"
        try """
        {"completion":"<think>disk write failed</think><answer>normal</answer>","label":"abnormal","reference":"Disk write failed on node."}
        {"completion":"c","label":"weird"}
        {"completion":"no tags","label":"normal"}

        """.write(toFile: input, atomically: true, encoding: .utf8)
        let result = try run(["reward", "--missed-anomaly-cost", "3", input])
        #expect(result.status == 1)
        #expect(result.stderr.contains("in.jsonl:2: label \"weird\" is not normal or abnormal"))
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 2)
        #expect(objects[0]["line"] as? Int == 1)
        #expect(objects[0]["outcome"] as? String == "missedAnomaly")
        // 0.1 - 3 + (0.5134171190 + 0.75 + 1) / 3, worked out in CompletionRewardTests.
        #expect(abs((objects[0]["reward"] as? Double ?? 0) - -2.1455276270) < 1e-6)
        #expect(objects[1]["line"] as? Int == 3)
        #expect(objects[1]["reward"] as? Double == -2)

        let refused = try run(["reward", "--false-alarm-cost=-1", input])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("false-alarm-cost must be a finite number ≥ 0"))
    }

    @Test func exportSFTWritesBothSplitsAndPrintsTheBalance() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/labels.jsonl"
        try """
        {"time": 2, "template": "Kernel panic", "label": "abnormal", "analysis": "The node crashed."}
        {"time": 1, "template": "Session opened", "label": "normal", "analysis": "Routine."}

        """.write(toFile: input, atomically: true, encoding: .utf8)
        let result = try run(["export", "sft", "--from", input, "--output-dir", dir + "/out", "--validation-fraction", "0.5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("train: 1 examples, 1 normal, 0 abnormal (0.0% abnormal)"))
        #expect(result.stdout.contains("validation: 1 examples, 0 normal, 1 abnormal (100.0% abnormal)"))
        let validation = try String(contentsOfFile: dir + "/out/validation.jsonl", encoding: .utf8)
        #expect(validation.contains(#""content":"<think>The node crashed.</think><answer>abnormal</answer>","role":"assistant""#))
        let train = try String(contentsOfFile: dir + "/out/train.jsonl", encoding: .utf8)
        #expect(train.contains("Session opened"))
    }
}
