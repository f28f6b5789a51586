import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `rationd run` following a real systemd-journald (private mount and PID namespaces, the
/// IngestTests sandbox): a burst of error entries raises one alert; after `kill -9` the
/// journal cursor was committed, so the restarted daemon re-reads nothing and re-alerts nothing.
@Suite(.serialized) struct DaemonJournalTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let sandbox = tests.appendingPathComponent("IngestTests/Fixtures/Journal/journald-sandbox.sh").path
    static let library = tests.appendingPathComponent("IngestTests/Fixtures/Journal/scenario-lib.sh").path
    static let scenario = tests.appendingPathComponent("PipelineTests/Fixtures/scenario-daemon-journal.sh").path
    static let tools = ["/usr/bin/unshare", "/usr/bin/systemd-cat", "/usr/bin/journalctl", "/usr/bin/timeout",
                        "/lib/systemd/systemd-journald"]

    static let unavailableReason: String? = {
        let reason: String? =
            if getuid() != 0 { "not root" }
            else if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) { "\(missing) is missing" }
            else if !FileManager.default.isExecutableFile(atPath: Binaries.path("rationd"))
                        || !FileManager.default.isExecutableFile(atPath: Binaries.path("rationctl")) { "rationd/rationctl are not built" }
            else if run("/usr/bin/unshare", ["--mount", "--propagation", "private", "--pid", "--fork", "/bin/true"]) != 0 {
                "unshare cannot create mount and PID namespaces here"
            } else { nil }
        if let reason { FileHandle.standardError.write(Data("skipping the real-journald daemon test: \(reason)\n".utf8)) }
        return reason
    }()

    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:], output: String = "/dev/null") -> Int32 {
        guard let child = try? ChildProcess(program, arguments, environment: environment, outputPath: output) else { return -1 }
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    @Test(.enabled(if: unavailableReason == nil)) func journalBurstAlertsOnceAcrossKillAndRestart() throws {
        let work = "/tmp/rationd-journal-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let status = Self.run("/usr/bin/timeout", ["--kill-after=5", "90", "/usr/bin/unshare", "--mount", "--propagation", "private",
                                                   "--pid", "--fork", "--kill-child", "--mount-proc", Self.sandbox, Self.scenario],
                              environment: ["RATIOND": Binaries.path("rationd"), "RATIONCTL": Binaries.path("rationctl"),
                                            "WORK": work, "SCENARIO_LIB": Self.library],
                              output: work + "/scenario.out")
        let log = { (name: String) in (try? String(contentsOfFile: "\(work)/\(name)", encoding: .utf8)) ?? "" }
        try #require(status == 0, "scenario failed (\(status)):\n\(log("scenario.out"))\n\(log("first.log"))\n\(log("second.log"))")

        // Alerts on the "app" session; journald's own start-up entries are a session of their own.
        func alerts(_ name: String) throws -> [AlertRecord] {
            try JSONDecoder().decode([AlertRecord].self, from: Data(contentsOf: URL(fileURLWithPath: "\(work)/\(name)")))
                .filter { $0.sessionKey == "app" }
        }
        #expect(try alerts("before.json").isEmpty, "routine entries raised an alert")
        let raised = try alerts("alerts.json")
        let alert = try #require(raised.first)
        #expect(raised.count == 1)
        #expect(alert.source == "journal" && alert.sessionKey == "app")
        #expect(alert.eventCount == 10 && alert.events.first?.message.contains("disk sda1 failure") == true)
        #expect(alert.events.first?.priority == 3)
        #expect(alert.verdict.status == "skipped")

        // No feedback: rationd's alert entry was not read back as input.
        let templates = try JSONDecoder().decode([TemplateRecord].self, from: Data(contentsOf: URL(fileURLWithPath: "\(work)/templates.json")))
        #expect(!templates.isEmpty)
        #expect(!templates.contains { $0.text.contains("verdict") }, "an alert entry was mined: \(templates.map(\.text))")

        let after = try alerts("alerts-after.json")
        #expect(after.map(\.id) == [alert.id] && after.first?.count == 1, "the burst was alerted again after kill -9")
        let restarted = try JSONDecoder().decode(DaemonStatus.self, from: Data(contentsOf: URL(fileURLWithPath: "\(work)/status-after.json")))
        // Nothing committed is read again: at most journald's own late entries.
        let reread = restarted.sources.first { $0.name == "journal" }?.records ?? -1
        #expect((0..<5).contains(reread), "\(reread) committed entries were read again")
        #expect(log("exit-status").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
