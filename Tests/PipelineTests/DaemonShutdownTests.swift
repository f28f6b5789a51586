import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM while a verdict is outstanding at an endpoint that never answers: the daemon stores
/// the window's alert as skipped and exits within `shutdown_timeout` (5 s here), not after the
/// 60 s request timeout.
@Suite(.serialized) struct DaemonShutdownTests {
    static let scriptedServer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ReasoningTests/Fixtures/scripted_llm_server.py").path

    @Test func shutdownDoesNotWaitForAHungVerdict() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        let server = try ChildProcess("/usr/bin/env", ["python3", Self.scriptedServer], outputPath: e2e.dir + "/llm.out")
        defer { server.signal(SIGKILL); var s: Int32 = 0; waitpid(server.pid, &s, 0) }
        var port = 0
        try await e2e.until("the scripted server's port", daemon: server) {
            guard let line = server.output.split(separator: "\n").first, line.hasPrefix("port ") else { return false }
            port = Int(line.dropFirst(5)) ?? 0
            return port > 0
        }
        let config = e2e.config
            .replacingOccurrences(of: "endpoints = [\"http://127.0.0.1:1/v1\"]", with: "endpoints = [\"http://127.0.0.1:\(port)/hang/v1\"]")
            .replacingOccurrences(of: "request_timeout = \"2s\"", with: "request_timeout = \"60s\"")
        #expect(config.contains("/hang/v1") && config.contains("\"60s\""))
        try config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...100).map { $0 + "\n" }.joined().utf8)))

        let daemon = try e2e.start("shutdown")
        var running = true
        defer { if running { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) } }
        try await e2e.until("100 records", daemon: daemon) { try e2e.records() == 100 }
        try e2e.append(DaemonEndToEndTests.diskErrors(1...10))
        try await e2e.until("a request at the hung endpoint", daemon: daemon) {
            let stats = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/stats")!)
            let counts = try JSONSerialization.jsonObject(with: stats) as? [String: Int]
            return (counts?["hang"] ?? 0) >= 1
        }
        let stop = ContinuousClock.now
        daemon.signal(SIGTERM)
        let status = try await daemon.wait(seconds: 30)
        running = false
        let took = ContinuousClock.now - stop
        #expect(status == 0)
        #expect(took < .seconds(8), "SIGTERM took \(took) against a 5 s shutdown_timeout")
        #expect(daemon.output.contains("shutdown before every verdict arrived"))
    }

    /// SIGTERM while the shutdown's snapshot save is stuck in `open` (a FIFO at the temporary
    /// path stands for storage that never answers): nothing can cancel that call, yet the
    /// daemon exits soon after `shutdown_timeout` (5 s), names what it was waiting for, and
    /// the checkpoint it committed before still covers exactly what was stored.
    @Test func shutdownDeadlineHoldsWhenASaveNeverReturns() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        let config = e2e.config.replacingOccurrences(of: "[miner]\nsnapshot_interval = \"1s\"",
                                                     with: "[miner]\nsnapshot_interval = \"1h\"")
        #expect(config.contains("\"1h\""))
        try config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...100).map { $0 + "\n" }.joined().utf8)))

        let daemon = try e2e.start("deadline")
        var running = true
        defer { if running { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) } }
        try await e2e.until("100 records", daemon: daemon) { try e2e.records() == 100 }
        let size = e2e.fileSize
        try await e2e.until("the checkpoint at the end of the file", daemon: daemon) { e2e.committedOffset() == size }
        let stuck = e2e.dir + "/state/miner.snapshot.tmp.\(daemon.pid)"
        #expect(mkfifo(stuck, 0o600) == 0)

        let stop = ContinuousClock.now
        daemon.signal(SIGTERM)
        let status = try await daemon.wait(seconds: 30)
        running = false
        let took = ContinuousClock.now - stop
        #expect(took < .seconds(8), "SIGTERM took \(took) against a 5 s shutdown_timeout")
        #expect(status == 1, "a stop cut short by the deadline exits 1")
        #expect(daemon.output.contains("shutdown took longer than shutdown_timeout"), "\(daemon.output)")
        #expect(daemon.output.contains("saving the miner snapshot"), "the log names the step the pipeline is stuck at")
        #expect(e2e.committedOffset() == size)
    }
}
