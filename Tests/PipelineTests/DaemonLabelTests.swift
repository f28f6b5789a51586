import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `rationd run` judged by a real loopback HTTP server that answers every template abnormal
/// and counts requests (`Tests/ReasoningTests/Fixtures/scripted_llm_server.py`). Labels set
/// with the built `rationctl` turn the cached model verdicts into the operator's in the next
/// window, without a request, and still do after a restart.
///
/// Repeats of one alert's template set fold into that alert (keeping its first verdict), so
/// each check uses a window mixing labelled templates in a new combination: a new alert whose
/// verdict is the engine's answer for that window.
@Suite(.serialized) struct DaemonLabelTests {
    static let script = DaemonLLMTests.root.appendingPathComponent("Tests/ReasoningTests/Fixtures/scripted_llm_server.py").path

    static func fanErrors(_ range: ClosedRange<Int>) -> [String] {
        range.map { "2026-11-26 10:03:\(String(format: "%02d", $0)) ERROR thermal: fan \($0) stopped at \($0 * 10) rpm, cpu throttled" }
    }

    /// Requests the scripted server received in `abnormal` mode.
    static func requests(port: Int) throws -> Int {
        let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/stats")!)
        return try JSONDecoder().decode([String: Int].self, from: data)["abnormal"] ?? 0
    }

    @Test(.timeLimit(.minutes(3))) func labelsOverrideCachedVerdictsInTheNextWindowWithoutARequestAndSurviveARestart() async throws {
        let e2e = try DaemonEndToEndTests()
        let dir = e2e.dir
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try ChildProcess("/usr/bin/env", ["python3", Self.script], outputPath: dir + "/server.log")
        defer { server.signal(SIGKILL); _ = try? waitpidBlocking(server.pid) }
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = server.output.split(separator: "\n").first { $0.hasPrefix("port ") }.flatMap { Int($0.dropFirst(5)) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let llm = try #require(port, "the scripted server did not start: \(server.output)")

        // No warm-up and a threshold low enough that every window of error lines escalates.
        let config = e2e.config
            .replacingOccurrences(of: "endpoints = [\"http://127.0.0.1:1/v1\"]",
                                  with: "endpoints = [\"http://127.0.0.1:\(llm)/abnormal/v1\"]")
            .replacingOccurrences(of: "warmup_windows = 5", with: "warmup_windows = 0\nthreshold = 0.01")
        try config.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        let first = DaemonEndToEndTests.diskErrors(1...10) + DaemonEndToEndTests.panics(1...10) + Self.fanErrors(1...10)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(first.map { $0 + "\n" }.joined().utf8)))
        var daemon = try e2e.start("first")
        var running = true
        defer { if running { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) } }
        try await e2e.until("three judged alerts", daemon: daemon) { try e2e.alerts().filter { $0.verdict.status == "verified" }.count == 3 }
        #expect(try Self.requests(port: llm) == 3, "one request per distinct template")
        let alerts = try e2e.alerts()
        func alert(_ text: String) throws -> AlertRecord {
            try #require(alerts.first { $0.events.first?.message.contains(text) == true }, "no alert for \(text)")
        }
        let disk = try alert("disk sda"), panic = try alert("scheduler panic"), fan = try alert("thermal: fan")
        for a in [disk, panic, fan] {
            #expect(a.verdict.label == "abnormal" && a.templates.count == 1, "the server calls everything abnormal: \(a.verdict)")
        }

        // LabelTemplate on two templates; LabelAlert on the panic alert (one template: it is labelled too).
        _ = try e2e.rationctl(["label", "template", String(disk.templates[0].id), "normal", "--note", "test rig"])
        _ = try e2e.rationctl(["label", "template", String(fan.templates[0].id), "normal"])
        let implied = String(decoding: try e2e.rationctl(["label", "alert", String(panic.id), "normal"]), as: UTF8.self)
        let panicTemplate = panic.templates[0].text
        #expect(implied == "alert \(panic.id) labelled normal\n  \"\(panicTemplate)\": none -> normal (exact)\n",
                "the label an alert implies is reported, and matches its exact text")

        /// Appends one window of two labelled templates and returns its alert, the only new one.
        func mixedWindow(_ lines: [String], _ what: String) async throws -> AlertRecord {
            let known = Set(try e2e.alerts().map(\.id))
            try e2e.append(lines)
            try await e2e.until(what, daemon: daemon) { try e2e.alerts().count == known.count + 1 }
            let new = try #require(try e2e.alerts().first { !known.contains($0.id) })
            #expect(new.templates.count == 2 && new.eventCount == 10)
            return new
        }

        // The next window with those templates: the operator's verdict, no request.
        let both = try await mixedWindow(DaemonEndToEndTests.diskErrors(11...15) + DaemonEndToEndTests.panics(11...15),
                                         "the disk+panic alert")
        #expect(both.verdict.label == "normal" && both.verdict.status == "operator", "\(both.verdict)")
        #expect(both.verdict.rationale.contains("test rig"))
        #expect(try Self.requests(port: llm) == 3, "a labelled template was sent to the model")
        let status = try JSONDecoder().decode(DaemonStatus.self, from: e2e.rationctl(["status", "--json"]))
        #expect(status.llm.calls == 3 && status.llm.cacheHits >= 2)

        // Restart: the labels were written when they were set.
        daemon.signal(SIGTERM)
        #expect(try await daemon.wait(seconds: 15) == 0)
        daemon = try e2e.start("second")
        try await e2e.until("the restarted daemon's socket", daemon: daemon) { try e2e.alerts().count == 4 }
        let after = try await mixedWindow(Self.fanErrors(11...15) + DaemonEndToEndTests.panics(16...20),
                                          "the fan+panic alert after the restart")
        #expect(after.verdict.label == "normal" && after.verdict.status == "operator", "\(after.verdict)")
        #expect(try Self.requests(port: llm) == 3, "a labelled template was sent to the model after the restart")
        let restarted = try JSONDecoder().decode(DaemonStatus.self, from: e2e.rationctl(["status", "--json"]))
        #expect(restarted.llm.calls == 0)
        daemon.signal(SIGTERM)
        #expect(try await daemon.wait(seconds: 15) == 0)
        running = false
    }

    /// Lines such as "31337" or "/tmp/x" mine to the template `<*>`: the running daemon refuses
    /// to label it (it would answer almost any line) unless forced, and says which template.
    @Test(.timeLimit(.minutes(2))) func aTemplateTooBroadToLabelIsRefusedUnlessForced() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        try e2e.config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        let lines = ["31337", "/tmp/x", "0xdead"]
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(lines.map { $0 + "\n" }.joined().utf8)))
        let daemon = try e2e.start("broad")
        defer { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) }
        func broad() throws -> TemplateRecord? {
            try JSONDecoder().decode([TemplateRecord].self, from: e2e.rationctl(["templates", "--json"])).first { $0.text == "<*>" }
        }
        try await e2e.until("the <*> template", daemon: daemon) { try broad() != nil }
        let id = String(try #require(try broad()).id)

        #expect(throws: (any Error).self) { try e2e.rationctl(["label", "template", id, "normal"]) }
        let refusal = try String(contentsOfFile: e2e.dir + "/rationctl.out", encoding: .utf8)
        #expect(refusal.contains("io.rationd.LabelTooBroad") && refusal.contains(#"template \"<*>\" has 0 literal word(s)"#), "\(refusal)")
        #expect(try broad()?.operatorLabel == nil)

        let forced = String(decoding: try e2e.rationctl(["label", "template", id, "normal", "--force"]), as: UTF8.self)
        #expect(forced == "template \(id) labelled normal\n  \"<*>\": none -> normal (pattern)\n")
        #expect(try broad()?.operatorLabel?.label == "normal")
    }
}
