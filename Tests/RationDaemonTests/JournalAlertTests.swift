import Foundation
import ProcessTestSupport
import RationCore
import RationDaemon
import Testing

/// Alerts reach a real systemd-journald, run privately in a new mount namespace with its own
/// /run, and `journalctl -t rationd` shows them with MESSAGE_ID, priority and fields.
@Suite(.serialized) struct JournalAlertTests {
    static let childVariable = "RATIOND_JOURNAL_WRITER_CHILD"
    static let journald = PrivateJournald.journald
    static let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("systemd/rationd.catalog").path

    /// Runs only inside the namespace the test below prepares: writes two alerts.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil))
    func writeAlertsInsidePrivateJournal() {
        let writer = JournalAlertWriter()
        #expect(writer.write(AlertBoardTests.alert(4242, unit: "disk.service")) == 0)
        #expect(writer.write(AlertBoardTests.alert(4243, unit: "web.service", label: .normal), demo: true) == 0)
    }

    static let available = getuid() == 0
        && ["/usr/bin/unshare", journald, "/usr/bin/journalctl"].allSatisfy(FileManager.default.isExecutableFile)

    @Test(.enabled(if: available, "needs root, unshare, systemd-journald and journalctl"))
    func alertsAppearInARealJournal() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-journal-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).path
        let script = """
        set -e
        \(PrivateJournald.startScript)
        \(Self.childVariable)=1 "\(testBinary)" --testing-library swift-testing --filter "JournalAlertTests/writeAlertsInsidePrivateJournal" > "\(dir)/child.log" 2>&1 || echo CHILD-FAILED
        for i in $(seq 100); do journalctl -t rationd -o json --no-pager 2>/dev/null | grep -q 4243 && break; sleep 0.05; done
        journalctl -t rationd -o json --no-pager
        # The shipped catalog, alone in a private catalog directory, explains the entry (-x).
        mkdir -p "\(dir)/catalog" /var/lib/systemd/catalog
        cp "\(Self.catalog)" "\(dir)/catalog/"
        mount --bind "\(dir)/catalog" /usr/lib/systemd/catalog
        mount -t tmpfs tmpfs /var/lib/systemd/catalog
        journalctl --update-catalog
        echo ===CATALOG
        journalctl -x -t rationd --no-pager RATIOND_ALERT_ID=4242
        kill $jpid; wait $jpid || true
        """
        let child = try ChildProcess("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script],
                                     outputPath: dir + "/out")
        #expect(try await child.wait(seconds: 90) == 0, "\(child.output)")
        let output = child.output
        #expect(!output.contains("CHILD-FAILED"), "\((try? String(contentsOfFile: dir + "/child.log", encoding: .utf8)) ?? "")")
        let entries = output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["SYSLOG_IDENTIFIER"] as? String == "rationd" }
        let first = try #require(entries.first { $0["RATIOND_ALERT_ID"] as? String == "4242" }, "\(output)")
        #expect(first["MESSAGE_ID"] as? String == JournalAlertWriter.messageID)
        #expect(first["PRIORITY"] as? String == "3")
        #expect((first["MESSAGE"] as? String)?.contains("disk.service: score 0.80, verdict abnormal, ") == true)
        #expect(first["RATIOND_EVENT"] as? String == "raised")
        #expect(first["RATIOND_UNITS"] as? String == "disk.service")
        let explained = try #require(output.components(separatedBy: "===CATALOG").last)
        #expect(explained.contains("rationd alert 4242: journal disk.service (raised)"), "\(explained)")
        #expect(explained.contains("rationctl alerts show 4242"), "\(explained)")
        let second = try #require(entries.first { $0["RATIOND_ALERT_ID"] as? String == "4243" })
        #expect(second["PRIORITY"] as? String == "6")
        #expect(second["RATIOND_DEMO"] as? String == "1")
    }
}
