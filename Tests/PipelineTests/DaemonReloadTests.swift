import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP and varlink `Reload` on the built `rationd run` with real files: a second file
/// source added to the running daemon is read, a new triage threshold is in force, a setting
/// that needs a restart is reported as such, a bad file keeps the running configuration, an
/// unchanged source keeps reading from where it was (nothing read twice), a changed source is
/// reopened where it stopped and a removed one saves its checkpoint.
@Suite(.serialized) struct DaemonReloadTests {
    let dir: String
    var socket: String { dir + "/io.rationd" }
    var configPath: String { dir + "/rationd.toml" }

    init() throws {
        dir = "/tmp/rationd-reload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// `files`: (name, path) of each file source.
    func config(files: [(String, String)], threshold: Double, storeMaxBytes: String = "256MiB", callsPerMinute: Int = 30,
                extra: String = "") -> String {
        """
        [daemon]
        state_directory = "\(dir)/state"
        shutdown_timeout = "5s"
        \(extra)
        [sources.journal]
        enabled = false
        \(files.map { "[[sources.files]]\nname = \"\($0.0)\"\npath = \"\($0.1)\"\nstart_at = \"beginning\"\n" }.joined())
        [sessionizer]
        count_window = 10
        count_step = 10
        [triage]
        threshold = \(threshold)
        warmup_windows = 5
        [reasoning]
        endpoints = ["http://127.0.0.1:1/v1"]
        request_timeout = "2s"
        max_calls_per_minute = \(callsPerMinute)
        [store]
        max_bytes = "\(storeMaxBytes)"
        [control]
        socket = "\(socket)"
        """
    }

    func write(_ text: String) throws { try text.write(toFile: configPath, atomically: true, encoding: .utf8) }

    func append(_ path: String, _ range: ClosedRange<Int>) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        let lines = range.map { "2026-11-26 10:00:\(String(format: "%02d", $0 % 60)) INFO worker \($0 % 7) processed request id=\($0) in \($0 * 3) ms\n" }
        try handle.write(contentsOf: Data(lines.joined().utf8))
        try handle.close()
    }

    func rationctl(_ arguments: [String]) throws -> Data {
        let out = dir + "/rationctl.out"
        let child = try ChildProcess(Binaries.path("rationctl"), arguments + ["--socket", socket], outputPath: out)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        let data = FileManager.default.contents(atPath: out) ?? Data()
        guard status == 0 else { throw Failure("rationctl \(arguments) exited \(status): \(String(decoding: data, as: UTF8.self))") }
        return data
    }

    func status() throws -> DaemonStatus { try JSONDecoder().decode(DaemonStatus.self, from: rationctl(["status", "--json"])) }

    /// Records read per source name.
    func records() throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try status().sources.map { ($0.name, $0.records) })
    }

    func until(_ what: String, seconds: Double = 60, daemon: ChildProcess, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("timed out waiting for \(what); last status: \((try? records()).map { "\($0)" } ?? "-"); daemon log:\n\(daemon.output)")
    }

    func committedOffset(_ name: String) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: "\(dir)/state/checkpoints.files.\(name).json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = object["files"] as? [[String: Any]],
              let position = files.first?["position"] as? [String: Any] else { return nil }
        return (position["offset"] as? NSNumber)?.uint64Value
    }

    func size(_ path: String) -> UInt64 { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0 }

    @Test func reloadAppliesSourcesAndTriageAndKeepsUnchangedSourcesReading() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = dir + "/a.log", b = dir + "/b.log", b2 = dir + "/b-2.log"
        try append(a, 1...30)
        try write(config(files: [("a", a)], threshold: 8.0))
        let daemon = try ChildProcess(Binaries.path("rationd"), ["run", "--config", configPath], outputPath: dir + "/rationd.log")
        var running = true
        defer { if running { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) } }
        try await until("30 records from a", daemon: daemon) { try records() == ["files.a": 30] }
        #expect(try status().triage?.threshold == 8.0)
        // With an http:// endpoint neither libcurl nor FoundationNetworking is mapped (idle RSS).
        let maps = (try? String(contentsOfFile: "/proc/\(daemon.pid)/maps", encoding: .utf8)) ?? ""
        #expect(!maps.isEmpty && !maps.contains("libcurl") && !maps.contains("FoundationNetworking"))

        // SIGHUP with a second file source, a lower threshold and a store size (needs a restart).
        try append(b, 1...20)
        try write(config(files: [("a", a), ("b", b)], threshold: 6.0, storeMaxBytes: "128MiB"))
        daemon.signal(SIGHUP)
        try await until("20 records from the added b", daemon: daemon) { try records()["files.b"] == 20 }
        // The reply and log lines follow the pipeline's answer by moments.
        try await until("the reload's log lines", daemon: daemon) {
            daemon.output.contains("triage.threshold: 8.0 -> 6.0: applied")
                && daemon.output.contains("store.maxBytes: 268435456 -> 134217728: needs a restart")
        }
        let afterHup = try status()
        #expect(afterHup.triage?.threshold == 6.0)
        #expect(afterHup.restartNeeded == ["store.maxBytes: 268435456 -> 134217728"])
        // The unchanged source kept its reader: nothing read twice, new lines still read.
        #expect(try records()["files.a"] == 30)
        try append(a, 31...40)
        try await until("40 records from a", daemon: daemon) { try records()["files.a"] == 40 }

        // A bad file: the running configuration stays and the daemon keeps serving.
        try write(config(files: [("a", a)], threshold: 9.0) + "\nbogus = 1\n")
        daemon.signal(SIGHUP)
        try await until("the rejected reload", daemon: daemon) { daemon.output.contains("keeping the running configuration") }
        #expect(daemon.output.contains("rationd.toml:"))
        try append(b, 21...25)
        try await until("25 records from b", daemon: daemon) { try records()["files.b"] == 25 }
        #expect(try status().triage?.threshold == 6.0)

        // Over varlink: a removed in place of b changed to a glob, a new LLM budget; the reply
        // marks each change.
        #expect(try status().llm.budgetPerMinute == 30)
        try append(b2, 1...7)
        try write(config(files: [("b", dir + "/b*.log")], threshold: 6.0, storeMaxBytes: "128MiB", callsPerMinute: 7))
        let reply = try rationctl(["reload"])
        let text = String(decoding: reply, as: UTF8.self)
        #expect(text.contains("reasoning.maxCallsPerMinute: 30 -> 7 (applied)"), "\(text)")
        #expect(try status().llm.budgetPerMinute == 7)
        // b continues where it stopped in b.log (25 records) and reads the new b-2.log from its start.
        try await until("b reopened on the glob", daemon: daemon) { try records() == ["files.b": 25 + 7] }
        // a stopped with its checkpoint at the end of its file.
        try await until("a's checkpoint", daemon: daemon) { committedOffset("a") == size(a) }
        #expect(daemon.output.contains("source stopped"))
        // The store size still waits for a restart (it was not changed again).
        #expect(try status().restartNeeded == ["store.maxBytes: 268435456 -> 134217728"])

        daemon.signal(SIGTERM)
        #expect(try await daemon.wait(seconds: 15) == 0, "log:\n\(daemon.output)")
        running = false
    }
}
