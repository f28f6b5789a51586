import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `rationd run` with the real local LLM (llama.cpp server, SmolLM2-135M, `make llm`): an
/// escalated window gets a model verdict (verified or unverified, never skipped) with the
/// model's rationale, stored and listed. The model's answers mean nothing; the plumbing does.
@Suite(.serialized) struct DaemonLLMTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/llm-server").path

    static let unavailableReason: String? = {
        let venv = ProcessInfo.processInfo.environment["RATIOND_LLM_VENV"] ?? root.appendingPathComponent(".venv-llm").path
        let cache = ProcessInfo.processInfo.environment["RATIOND_LLM_CACHE"] ?? root.appendingPathComponent(".cache/llm").path
        let reason: String? =
            if !FileManager.default.isExecutableFile(atPath: venv + "/bin/python") { "\(venv) is missing (make llm)" }
            else if !FileManager.default.fileExists(atPath: cache + "/SmolLM2-135M-Instruct.Q4_1.gguf") { "the model is missing (make llm)" }
            else { nil }
        if let reason { FileHandle.standardError.write(Data("skipping the real-LLM daemon test: \(reason)\n".utf8)) }
        return reason
    }()

    @Test(.enabled(if: unavailableReason == nil), .timeLimit(.minutes(4))) func escalatedWindowGetsAModelVerdict() async throws {
        let e2e = try DaemonEndToEndTests()
        let dir = e2e.dir
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let llm = try ChildProcess(Self.script, ["serve", "0"], outputPath: dir + "/llm.log")
        defer { llm.signal(SIGTERM); _ = try? waitpidBlocking(llm.pid) }
        var endpoint: String?
        let deadline = Date().addingTimeInterval(120)
        while endpoint == nil, Date() < deadline {
            endpoint = llm.output.split(separator: "\n").first { $0.hasPrefix("ready http") }.map { String($0.dropFirst(6)) }
            try await Task.sleep(for: .milliseconds(200))
        }
        let base = try #require(endpoint, "the LLM server did not start: \(llm.output)")

        let config = e2e.config
            .replacingOccurrences(of: "endpoints = [\"http://127.0.0.1:1/v1\"]", with: "endpoints = [\"\(base)/v1\"]")
            .replacingOccurrences(of: "request_timeout = \"2s\"", with: "request_timeout = \"90s\"\nmax_tokens = 200\ndemo = true")
        try config.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...100).map { $0 + "\n" }.joined().utf8)))
        let daemon = try e2e.start("llm-daemon")
        defer { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) }
        try await e2e.until("100 records", daemon: daemon) { try e2e.records() == 100 }
        try e2e.append(DaemonEndToEndTests.diskErrors(1...10))
        try await e2e.until("a judged alert", seconds: 200, daemon: daemon) { try !e2e.alerts().isEmpty }
        let alert = try #require(try e2e.alerts().first)
        if alert.verdict.status == "skipped", alert.verdict.reason?.contains("no reply within") == true {
            // The request reached the server, which was too slow on a loaded machine: the
            // budgeted path worked (stored as skipped), the model's answer was not awaited.
            print("note: the local LLM did not answer within the request timeout: \(alert.verdict.reason ?? "")")
            return
        }
        #expect(alert.verdict.status == "verified" || alert.verdict.status == "unverified",
                "verdict \(alert.verdict); daemon log:\n\(daemon.output)")
        #expect(alert.verdict.model != nil)
        #expect(!alert.verdict.rationale.isEmpty)
    }
}

