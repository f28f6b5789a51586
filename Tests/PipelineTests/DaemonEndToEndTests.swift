import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `rationd run` on a real log file, queried with the built `rationctl`: normal
/// lines raise nothing, a burst of errors raises an alert with its window, scores and a
/// `skipped` verdict (the LLM endpoint refuses connections); after `kill -9` and a restart the
/// alert is still listed, the file checkpoint was committed, nothing committed is re-alerted,
/// and the uncommitted tail (an open window) is read again, not lost.
@Suite(.serialized) struct DaemonEndToEndTests {
    let dir: String
    var log: String { dir + "/app.log" }
    var socket: String { dir + "/io.rationd" }
    var checkpointPath: String { dir + "/state/checkpoints.files.app.json" }

    init() throws {
        dir = "/tmp/rationd-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    var config: String {
        """
        [daemon]
        state_directory = "\(dir)/state"
        shutdown_timeout = "5s"
        [sources.journal]
        enabled = false
        [[sources.files]]
        name = "app"
        path = "\(log)"
        start_at = "beginning"
        [miner]
        snapshot_interval = "1s"
        [sessionizer]
        count_window = 10
        count_step = 10
        [triage]
        warmup_windows = 5
        snapshot_interval = "1s"
        [reasoning]
        endpoints = ["http://127.0.0.1:1/v1"]
        request_timeout = "2s"
        [control]
        socket = "\(socket)"
        """
    }

    func append(_ lines: [String]) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        try handle.close()
    }

    static func normal(_ range: ClosedRange<Int>) -> [String] {
        range.map { "2026-11-26 10:00:\(String(format: "%02d", $0 % 60)) INFO worker \($0 % 7) processed request id=\($0) in \($0 * 3) ms" }
    }

    static func diskErrors(_ range: ClosedRange<Int>) -> [String] {
        range.map { "2026-11-26 10:01:\(String(format: "%02d", $0)) ERROR kernel: disk sda\($0) failure: I/O error at sector \($0 * 977), filesystem remounted read-only" }
    }

    static func panics(_ range: ClosedRange<Int>) -> [String] {
        range.map { "2026-11-26 10:02:\(String(format: "%02d", $0)) CRITICAL scheduler panic: segfault in module \($0) while holding lock" }
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

    func alerts() throws -> [AlertRecord] {
        try JSONDecoder().decode([AlertRecord].self, from: rationctl(["alerts", "list", "--json"]))
    }

    func records() throws -> Int {
        try JSONDecoder().decode(DaemonStatus.self, from: rationctl(["status", "--json"])).sources.first?.records ?? -1
    }

    func committedOffset() -> UInt64? {
        guard let data = FileManager.default.contents(atPath: checkpointPath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = object["files"] as? [[String: Any]],
              let position = files.first?["position"] as? [String: Any] else { return nil }
        return (position["offset"] as? NSNumber)?.uint64Value
    }

    var fileSize: UInt64 { (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? NSNumber)?.uint64Value ?? 0 }

    func start(_ name: String) throws -> ChildProcess {
        try ChildProcess(Binaries.path("rationd"), ["run", "--config", dir + "/rationd.toml"], outputPath: "\(dir)/\(name).log")
    }

    func until(_ what: String, seconds: Double = 60, daemon: ChildProcess, _ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("timed out waiting for \(what); daemon log:\n\(daemon.output)")
    }

    @Test func alertsSurviveKillAndTheUncommittedTailIsReadAgain() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try config.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: log, contents: Data(Self.normal(1...100).map { $0 + "\n" }.joined().utf8)))

        // 1. Normal traffic: learned, no alert.
        var daemon = try start("first")
        var running = true
        defer { if running { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) } }
        try await until("100 records", daemon: daemon) { try records() == 100 }
        #expect(try alerts().isEmpty, "normal lines raised an alert")

        // 2. A burst of errors closes one window: one alert with window, scores, skipped verdict.
        try append(Self.diskErrors(1...10))
        try await until("the disk alert", daemon: daemon) { try !alerts().isEmpty }
        let first = try #require(try alerts().first)
        #expect(first.source == "files.app")
        #expect(first.eventCount == 10)
        #expect(first.events.first?.message.contains("disk sda1 failure") == true)
        #expect(first.escalated && first.score > 0 && !first.reasons.isEmpty)
        #expect(first.verdict.status == "skipped", "no LLM listens: \(first.verdict)")
        #expect(!first.templates.isEmpty)

        // Everything so far is durable: the checkpoint reaches the end of the file.
        let committedSize = fileSize
        try await until("the checkpoint at the end of the file", daemon: daemon) { committedOffset() == committedSize }
        try await until("snapshots", daemon: daemon) {
            FileManager.default.fileExists(atPath: dir + "/state/triage.snapshot")
                && FileManager.default.fileExists(atPath: dir + "/state/miner.snapshot")
        }

        // 3. Half a window of a new failure: read, but its window is open, so not committed.
        try append(Self.panics(1...5))
        try await until("115 records", daemon: daemon) { try records() == 115 }
        try await Task.sleep(for: .seconds(1))
        #expect(committedOffset() == committedSize, "a checkpoint moved past records whose window is still open")
        daemon.signal(SIGKILL)
        #expect(try await daemon.wait(seconds: 10) == 128 + SIGKILL)

        // 4. Restart: the alert is still listed (from the store), reading resumes at the checkpoint.
        daemon = try start("second")
        try await until("the restarted daemon", daemon: daemon) { try records() == 5 }
        let again = try alerts()
        #expect(again.count == 1)
        #expect(again.first?.id == first.id && again.first?.count == 1, "the committed burst was alerted again")

        // The replayed half window plus five more lines close the panic window: nothing lost.
        try append(Self.panics(6...10))
        try await until("the panic alert", daemon: daemon) { try alerts().count == 2 }
        let panic = try #require(try alerts().first { $0.id != first.id })
        #expect(panic.eventCount == 10)
        #expect(panic.events.first?.message.contains("module 1 ") == true, "the uncommitted tail was lost")
        #expect(try alerts().first { $0.id == first.id }?.count == 1)

        // 5. SIGTERM: a clean exit with the final checkpoint at the end of the file.
        daemon.signal(SIGTERM)
        #expect(try await daemon.wait(seconds: 15) == 0)
        running = false
        #expect(committedOffset() == fileSize)
        #expect(daemon.output.contains("pipeline stopped"))
    }

    /// The inodes of the streams in the saved file checkpoint.
    func checkpointInodes() -> [UInt64] {
        guard let data = FileManager.default.contents(atPath: checkpointPath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = object["files"] as? [[String: Any]] else { return [] }
        return files.compactMap { (($0["position"] as? [String: Any])?["inode"] as? NSNumber)?.uint64Value }
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    /// Rotation as `logrotate` with `rotate 2` does it, twenty times: the saved checkpoint
    /// keeps the live file and the two rotated ones, not one entry per file ever followed,
    /// and every line is read once.
    @Test func checkpointsForgetRotatedFilesOnceDeleted() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try config.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: log, contents: Data()))
        let daemon = try start("rotations")
        defer { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) }
        var written = 0
        for round in 0..<20 {
            try append(Self.normal((round * 10 + 1)...(round * 10 + 10)))
            written += 10
            try await until("\(written) records", daemon: daemon) { try records() == written }
            unlink(log + ".2")
            rename(log + ".1", log + ".2")
            rename(log, log + ".1")
            #expect(FileManager.default.createFile(atPath: log, contents: Data()))
        }
        try append(Self.normal(1001...1010))
        written += 10
        try await until("\(written) records", daemon: daemon) { try records() == written }
        let live = Set([log, log + ".1", log + ".2"].compactMap(Self.inode))
        try await until("a checkpoint of only the files that exist", daemon: daemon) {
            let saved = checkpointInodes()
            return !saved.isEmpty && Set(saved).isSubset(of: live)
        }
        #expect(checkpointInodes().count <= 3, "\(checkpointInodes())")
        #expect(try records() == written)
    }

    /// An alert stored as `skipped` (no LLM listens) is judged again on the re-judge timer;
    /// once the operator labels its template, the stored alert carries the operator's verdict.
    @Test func skippedAlertTakesTheVerdictOfALaterRejudge() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quick = config.replacingOccurrences(of: "request_timeout = \"2s\"", with: "request_timeout = \"2s\"\nrejudge_interval = \"1s\"")
        try quick.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: log, contents: Data(Self.normal(1...100).map { $0 + "\n" }.joined().utf8)))
        let daemon = try start("rejudge")
        defer { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) }
        try await until("100 records", daemon: daemon) { try records() == 100 }
        try append(Self.diskErrors(1...10))
        try await until("the disk alert", daemon: daemon) { try !alerts().isEmpty }
        let skipped = try #require(try alerts().first)
        #expect(skipped.verdict.status == "skipped")
        let template = try #require(skipped.templates.first)
        #expect(skipped.templates.count == 1)

        _ = try rationctl(["label", "template", String(template.id), "abnormal", "--note", "disk failures need a person"])
        try await until("the re-judged alert", seconds: 30, daemon: daemon) { try alerts().first?.verdict.status == "operator" }
        let revised = try #require(try alerts().first)
        #expect(try alerts().count == 1, "re-judging updates the alert, it does not add one")
        #expect(revised.id == skipped.id)
        #expect(revised.verdict.label == "abnormal")
        #expect(revised.eventCount == 10)
    }

    /// With reasoning off, template labels and those an alert label implies are still kept: in
    /// the verdict cache file, where an engine finds them once reasoning is turned on.
    @Test func operatorLabelsAreKeptWhileReasoningIsOff() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let off = config.replacingOccurrences(of: "[reasoning]\n", with: "[reasoning]\nenabled = false\n")
        try off.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: log, contents: Data(Self.normal(1...100).map { $0 + "\n" }.joined().utf8)))
        let daemon = try start("reasoning-off")
        defer { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) }
        try await until("100 records", daemon: daemon) { try records() == 100 }
        try append(Self.diskErrors(1...10))
        try await until("the disk alert", daemon: daemon) { try !alerts().isEmpty }
        let alert = try #require(try alerts().first)
        let template = try #require(alert.templates.first)
        /// The labels the cache file holds: its lines replayed (a label set, a label withdrawn).
        func overridesOnFile() throws -> [[String: Any]] {
            let cache = try String(contentsOfFile: dir + "/state/verdicts.cache", encoding: .utf8)
            var labels: [String: [String: Any]] = [:]
            for line in cache.split(separator: "\n") {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                if let label = object["label"] as? [String: Any], let text = label["templateText"] as? String { labels[text] = label }
                if let text = object["unlabel"] as? String { labels[text] = nil }
            }
            return labels.keys.sorted().compactMap { labels[$0] }
        }

        // An alert label implies one for its single template...
        _ = try rationctl(["label", "alert", String(alert.id), "normal"])
        let implied = try overridesOnFile()
        #expect(implied.count == 1 && implied.first?["templateText"] as? String == template.text)
        #expect(implied.first?["label"] as? String == "normal" && (implied.first?["alert"] as? NSNumber)?.uint64Value == alert.id)
        // ...and a label on the template itself replaces it.
        _ = try rationctl(["label", "template", String(template.id), "abnormal", "--note", "disks matter"])
        let overrides = try overridesOnFile()
        #expect(overrides.count == 1)
        #expect(overrides.first?["templateText"] as? String == template.text)
        #expect(overrides.first?["label"] as? String == "abnormal" && overrides.first?["note"] as? String == "disks matter")
        // `rationctl templates` shows the label, with when it was set.
        let listed = try JSONDecoder().decode([TemplateRecord].self, from: rationctl(["templates", "--json"]))
        let shown = try #require(listed.first { $0.id == template.id })
        #expect(shown.operatorLabel?.label == "abnormal" && shown.operatorLabel?.note == "disks matter")
        #expect((shown.operatorLabel?.time ?? 0) > 1_700_000_000_000_000)
    }

    /// The engine's re-judge list lives in memory: after a restart, alerts stored as skipped go
    /// back to reasoning, so one whose template the operator labels then takes that verdict.
    @Test func alertsStoredAsSkippedAreJudgedAgainAfterARestart() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quick = config.replacingOccurrences(of: "request_timeout = \"2s\"", with: "request_timeout = \"2s\"\nrejudge_interval = \"1s\"")
        try quick.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: log, contents: Data(Self.normal(1...100).map { $0 + "\n" }.joined().utf8)))
        let first = try start("before-restart")
        var running = true
        defer { if running { first.signal(SIGKILL); var s: Int32 = 0; waitpid(first.pid, &s, 0) } }
        try await until("100 records", daemon: first) { try records() == 100 }
        try append(Self.diskErrors(1...10))
        try await until("the disk alert", daemon: first) { try !alerts().isEmpty }
        let skipped = try #require(try alerts().first)
        #expect(skipped.verdict.status == "skipped")
        first.signal(SIGTERM)
        #expect(try await first.wait(seconds: 15) == 0)
        running = false

        let second = try start("after-restart")
        defer { second.signal(SIGKILL); var s: Int32 = 0; waitpid(second.pid, &s, 0) }
        try await until("the restarted daemon", daemon: second) { try alerts().count == 1 }
        try await until("the stored skipped alert resubmitted", daemon: second) {
            second.output.contains("alerts stored as skipped go back to reasoning")
        }
        _ = try rationctl(["label", "template", String(try #require(skipped.templates.first).id), "abnormal"])
        try await until("the re-judged alert", seconds: 30, daemon: second) { try alerts().first?.verdict.status == "operator" }
        #expect(try alerts().map(\.id) == [skipped.id])
    }
}
