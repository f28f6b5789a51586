import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP changing the journal matches of a running `rationd run` on a real systemd-journald
/// (the IngestTests sandbox): narrowed to a unit that logs nothing, no entry is read; widened
/// again, the reader continues at its cursor, so the entries written meanwhile are read once
/// and nothing read before is read again.
@Suite(.serialized) struct DaemonJournalReloadTests {
    static let scenario = DaemonJournalTests.tests.appendingPathComponent("PipelineTests/Fixtures/scenario-daemon-journal-reload.sh").path

    @Test(.enabled(if: DaemonJournalTests.unavailableReason == nil)) func journalMatchesChangeOnReload() throws {
        let work = "/tmp/rationd-journal-reload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let status = DaemonJournalTests.run(
            "/usr/bin/timeout", ["--kill-after=5", "90", "/usr/bin/unshare", "--mount", "--propagation", "private",
                                 "--pid", "--fork", "--kill-child", "--mount-proc", DaemonJournalTests.sandbox, Self.scenario],
            environment: ["RATIOND": Binaries.path("rationd"), "RATIONCTL": Binaries.path("rationctl"), "WORK": work],
            output: work + "/scenario.out")
        let log = { (name: String) in (try? String(contentsOfFile: "\(work)/\(name)", encoding: .utf8)) ?? "" }
        try #require(status == 0, "scenario failed (\(status)):\n\(log("scenario.out"))\n\(log("rationd.log"))")
        var steps: [String: Int] = [:]
        for line in log("records").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let n = Int(parts[1]) { steps[String(parts[0])] = n }
        }
        let start = try #require(steps["start"], "\(log("records"))")
        #expect(start >= 20)
        #expect(steps["narrowed"] == start, "entries of other units were read while the match excluded them")
        // The 5 entries written while narrowed and the 3 after: each read exactly once.
        #expect(steps["widened"] == start + 8, "\(log("records"))\n\(log("rationd.log"))")
        #expect(steps["exit"] == 0)
        #expect(log("rationd.log").contains("sources.journal.units: [] -> [nothing.service]: applied"))
    }
}
