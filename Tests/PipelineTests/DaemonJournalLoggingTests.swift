import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `rationd run` logging to a real systemd-journald (private mount namespace, its
/// own /run) through a journal stream, as under systemd: `JOURNAL_STREAM` names the stream, and
/// `journalctl -p warning` then shows the daemon's warnings and not its info lines.
@Suite(.serialized) struct DaemonJournalLoggingTests {
    static let journald = PrivateJournald.journald
    static let tools = ["/usr/bin/unshare", journald, "/usr/bin/journalctl", "/usr/bin/systemd-cat", "/usr/bin/stat"]
    static let available = getuid() == 0 && tools.allSatisfy(FileManager.default.isExecutableFile)

    @Test(.enabled(if: available, "needs root, unshare, systemd-journald, journalctl and systemd-cat"),
          .timeLimit(.minutes(2)))
    func journalPriorityFollowsTheLogLevel() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        try e2e.config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...20).map { $0 + "\n" }.joined().utf8)))
        // A damaged checkpoint is set aside with a warning at start.
        try FileManager.default.createDirectory(atPath: e2e.dir + "/state", withIntermediateDirectories: true)
        try Data("{\"version\": 1, \"files\": [tru".utf8).write(to: URL(fileURLWithPath: e2e.checkpointPath))
        let script = """
        set -e
        \(PrivateJournald.startScript)
        # As systemd does for a service: stderr is a journal stream and JOURNAL_STREAM names it.
        systemd-cat -t rationd-under-test /bin/sh -c 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$0" run --config "$1"' \\
            "\(Binaries.path("rationd"))" "\(e2e.dir)/rationd.toml" & dpid=$!
        for i in $(seq 200); do [ -S "\(e2e.socket)" ] && break; sleep 0.05; done
        sleep 1
        kill -TERM $dpid; wait $dpid || true
        echo ===WARNING
        journalctl -t rationd-under-test -p warning -o json --no-pager
        echo ===ALL
        journalctl -t rationd-under-test -o json --no-pager
        kill $jpid; wait $jpid || true
        """
        let child = try ChildProcess("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script],
                                     outputPath: e2e.dir + "/out")
        #expect(try await child.wait(seconds: 90) == 0, "\(child.output)")
        let output = child.output
        let parts = output.components(separatedBy: "===ALL")
        try #require(parts.count == 2, "\(output)")
        func entries(_ text: String) -> [(priority: String, message: String)] {
            text.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let message = object["MESSAGE"] as? String, let priority = object["PRIORITY"] as? String else { return nil }
                return (priority, message)
            }
        }
        let warnings = entries(parts[0]), all = entries(parts[1])
        #expect(warnings.contains { $0.message.contains("file checkpoint damaged") && $0.priority == "4" }, "\(output)")
        #expect(warnings.allSatisfy { Int($0.priority)! <= 4 }, "\(warnings)")
        #expect(all.contains { $0.priority == "6" }, "no info line at all: \(all)")
        #expect(!warnings.contains { $0.priority == "6" })
        #expect(all.allSatisfy { !$0.message.hasPrefix("<") }, "a prefix was not taken as the priority")
    }
}
