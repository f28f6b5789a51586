import Foundation
import ProcessTestSupport
import Testing

/// `rationlab distill` against a real llama.cpp server (`scripts/llm-server`, SmolLM2-135M).
/// The small model's analyses mean nothing: this asserts the plumbing (requests out, replies
/// classified and counted, kept lines well-formed), never what the model answers.
@Suite struct RealTeacherTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The venv's python and the model, as `scripts/llm-server paths` names them; nil (with
    /// the reason printed) when `make llm` has not set them up.
    static func serverPrerequisites() throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repository + "/scripts/llm-server")
        process.arguments = ["paths"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let paths = text.split(separator: "\n").map(String.init)
        guard paths.count == 2 else { return false }
        let missing = paths.filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty { print("SKIP real-teacher test: \(missing.joined(separator: ", ")) missing (run `make llm`)") }
        return missing.isEmpty
    }

    @Test(.timeLimit(.minutes(5))) func distillsAgainstTheLocalLlamaServer() async throws {
        guard try Self.serverPrerequisites() else { return }
        let dir = try CommandTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ChildProcess(Self.repository + "/scripts/llm-server", ["serve", "0"], outputPath: dir + "/server.out")
        defer {
            server.signal(SIGTERM)
            var status: Int32 = 0
            for _ in 0..<500 where waitpid(server.pid, &status, WNOHANG) != server.pid { usleep(10_000) }
            server.signal(SIGKILL)
            waitpid(server.pid, &status, 0)
        }
        let deadline = Date().addingTimeInterval(240)
        var baseURL: String?
        while baseURL == nil, Date() < deadline {
            baseURL = server.output.split(separator: "\n").first { $0.hasPrefix("ready ") }.map { String($0.dropFirst(6)) + "/v1" }
            if baseURL == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let url = try #require(baseURL, "llama.cpp server did not get ready: \(server.output.suffix(500))")

        // Two BGL templates from LogPrompt's rectified labels (../shared/datasets/bgl).
        try """
            log,label_rectified
            instruction cache parity error corrected,0
            ciod: failed to read message prefix on control stream (CioStream socket to <*>:<*>,1

            """.write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        let result = try CommandTests().run([
            "distill", "--labels-csv", dir + "/labels.csv", "--teacher", url, "--model", "smollm2-135m",
            "--output", dir + "/distilled.jsonl", "--constraint", "llamaGrammar", "--max-tokens", "48",
            "--concurrency", "1", "--retries", "0", "--timeout", "120",
        ])
        print("real teacher: \(result.stdout)\(result.stderr.suffix(800))")
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.stdout.split(separator: "\n").last.map(String.init))
        let numbers = summary.split(separator: " ").compactMap { Int($0) }
        // labels, already-distilled, already-dropped, asked, kept, disagree, malformed, failed
        #expect(numbers.count == 8, "\(summary)")
        if numbers.count == 8 {
            #expect(numbers[0] == 2 && numbers[3] == 2)
            #expect(numbers[7] == 0, "the server was up: nothing failed")
            #expect(numbers[4] + numbers[5] + numbers[6] == 2, "every reply is kept or dropped")
        }
        #expect(result.stderr.contains("2/2 "))
        // Kept lines are whole records whose label the model's answer matched.
        let kept = (try? String(contentsOfFile: dir + "/distilled.jsonl", encoding: .utf8)) ?? ""
        for line in kept.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["teacher"] as? String != nil)
            #expect((object["analysis"] as? String)?.isEmpty == false)
        }
        let dropped = (try? String(contentsOfFile: dir + "/distilled.dropped.jsonl", encoding: .utf8)) ?? ""
        #expect(kept.split(separator: "\n").count + dropped.split(separator: "\n").count == 2)
    }
}
