import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Damaged state never stops the built `rationd run`: it is set aside, the daemon starts from
/// its settings, and `rationctl status` shows each recovery until acknowledged. A label that
/// cannot be written is an error, not a silent "labelled".
@Suite(.serialized) struct DaemonRecoveryTests {
    static func status(_ e2e: DaemonEndToEndTests) throws -> DaemonStatus {
        try JSONDecoder().decode(DaemonStatus.self, from: e2e.rationctl(["status", "--json"]))
    }

    @Test(.timeLimit(.minutes(2))) func damagedCheckpointsAreSetAsideAndShownUntilAcknowledged() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        try e2e.config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...20).map { $0 + "\n" }.joined().utf8)))
        let state = e2e.dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let damaged = [e2e.checkpointPath, state + "/checkpoints.json", state + "/verdicts.cache"]
        for path in damaged { try Data("{\"version\": 1, \"files\": [tru".utf8).write(to: URL(fileURLWithPath: path)) }

        // Under umask 000 the socket still gets its configured mode (0660).
        let daemon = try ChildProcess("/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", Binaries.path("rationd"), "run",
                                                  "--config", e2e.dir + "/rationd.toml"], outputPath: e2e.dir + "/daemon.log")
        defer { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) }
        try await e2e.until("all 20 lines read from the start", daemon: daemon) { try e2e.records() == 20 }
        var st = stat()
        #expect(lstat(e2e.socket, &st) == 0 && st.st_mode & S_IFMT == S_IFSOCK)
        #expect(st.st_mode & 0o7777 == 0o660, "socket mode \(String(st.st_mode & 0o7777, radix: 8))")

        let recoveries = try #require(try Self.status(e2e).recoveries, "no recoveries in status")
        #expect(Set(recoveries.map(\.what)) == ["file checkpoint", "journal checkpoint", "verdict cache"], "\(recoveries)")
        for r in recoveries {
            #expect(damaged.contains(r.path))
            let aside = try #require(r.movedTo, "\(r.what) not moved")
            #expect(aside.hasPrefix(r.path + ".damaged-") && FileManager.default.fileExists(atPath: aside))
        }
        #expect(daemon.output.contains("file checkpoint damaged"), "logged at warning")
        let text = String(decoding: try e2e.rationctl(["status"]), as: UTF8.self)
        #expect(text.contains("recoveries: 3 damaged state file(s) set aside"), "\(text)")

        let ack = String(decoding: try e2e.rationctl(["status", "--ack"]), as: UTF8.self)
        #expect(ack == "acknowledged 3 recoveries\n")
        #expect(try Self.status(e2e).recoveries == nil)
        #expect(!String(decoding: try e2e.rationctl(["status"]), as: UTF8.self).contains("recoveries:"))
    }

    @Test(.timeLimit(.minutes(2))) func aLabelThatCannotBeWrittenIsAnErrorAndIsWrittenOnTheNextSave() async throws {
        let e2e = try DaemonEndToEndTests()
        defer { try? FileManager.default.removeItem(atPath: e2e.dir) }
        try e2e.config.write(toFile: e2e.dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.diskErrors(1...5).map { $0 + "\n" }.joined().utf8)))
        let daemon = try e2e.start("label")
        defer { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) }
        func templates() throws -> [TemplateRecord] {
            try JSONDecoder().decode([TemplateRecord].self, from: e2e.rationctl(["templates", "--json"]))
        }
        try await e2e.until("a mined template", daemon: daemon) { try !templates().isEmpty }
        let template = try #require(try templates().first)

        // A directory where the labels file goes: even root cannot rename a file over it.
        let cache = e2e.dir + "/state/verdicts.cache"
        try? FileManager.default.removeItem(atPath: cache)
        try FileManager.default.createDirectory(atPath: cache + "/blocker", withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { try e2e.rationctl(["label", "template", String(template.id), "normal"]) }
        let refusal = try String(contentsOfFile: e2e.dir + "/rationctl.out", encoding: .utf8)
        #expect(refusal.contains("io.rationd.LabelsNotSaved") && refusal.contains(cache) && refusal.contains("Is a directory"),
                "\(refusal)")
        #expect(!refusal.contains("labelled"))

        try FileManager.default.removeItem(atPath: cache)
        let labelled = String(decoding: try e2e.rationctl(["label", "template", String(template.id), "normal"]), as: UTF8.self)
        #expect(labelled.hasPrefix("template \(template.id) labelled normal"))
        let saved = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(saved.hasPrefix("{\"format\":2}\n") && saved.contains("{\"label\":{\"label\":\"normal\""),
                "the labels file is written again")
    }
}
