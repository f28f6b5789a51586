import Control
import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `rationd run` with its alert store on a small tmpfs that fills up: the alert of a
/// window that cannot be stored holds the file checkpoint back (its records would otherwise be
/// skipped after a restart); once space is free again the alert is stored late and the
/// checkpoint moves on without a restart. Needs root and mount(8), as on the CI machines.
@Suite(.serialized) struct DaemonStoreHoldTests {
    @Test(.enabled(if: SmallFilesystem.available)) func fullStoreHoldsCheckpointsUntilTheAlertIsStored() async throws {
        let e2e = try DaemonEndToEndTests()
        let dir = e2e.dir
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let small = try #require(SmallFilesystem(kilobytes: 1024), "mount a tmpfs")
        defer { small.unmount() }
        let fs = small.path
        let config = e2e.config + "\n[store]\ndirectory = \"\(fs)/alerts\"\nsegment_bytes = \"64KiB\"\n"
        try config.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: e2e.log, contents: Data(DaemonEndToEndTests.normal(1...100).map { $0 + "\n" }.joined().utf8)))

        let daemon = try e2e.start("hold")
        defer { daemon.signal(SIGKILL); var s: Int32 = 0; waitpid(daemon.pid, &s, 0) }
        try await e2e.until("100 records", daemon: daemon) { try e2e.records() == 100 }
        let learnedSize = e2e.fileSize
        try await e2e.until("the checkpoint at the end of the normal lines", daemon: daemon) { e2e.committedOffset() == learnedSize }

        // Fill the filesystem, then bursts of errors of new kinds until one cannot be stored
        // (the first may still fit in the write-ahead segment's last page).
        let filler = fs + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        #expect(fd >= 0)
        let chunk = [UInt8](repeating: 0x41, count: 4096)
        while write(fd, chunk, chunk.count) == chunk.count {}
        close(fd)
        var records = 100
        var bursts = 0
        while !daemon.output.contains("cannot store an alert"), bursts < Self.kinds.count {
            try e2e.append(Self.burst(bursts))
            bursts += 1
            records += 10
            try await e2e.until("\(records) records", daemon: daemon) { try e2e.records() == records }
            try await e2e.until("burst \(bursts) judged", seconds: 10, daemon: daemon) {
                let stored = try e2e.alerts().count
                return daemon.output.contains("cannot store an alert") || stored == bursts
            }
        }
        #expect(daemon.output.contains("cannot store an alert"), "the full store took every alert")
        let storedBeforeFull = try e2e.alerts().count
        #expect(storedBeforeFull < bursts)
        let heldAt = e2e.committedOffset()
        try await Task.sleep(for: .seconds(2))
        #expect(e2e.committedOffset() == heldAt, "checkpoints moved while an alert was not stored")
        #expect((heldAt ?? 0) < e2e.fileSize - 10 * 60, "the checkpoint covers the burst whose alert was not stored")

        // Space again: the alert is stored late and the checkpoint reaches the end of the file.
        unlink(filler)
        try await e2e.until("the alerts stored late", daemon: daemon) { try e2e.alerts().count == bursts }
        let lastKind = Self.kinds[bursts - 1]
        let firsts = try e2e.alerts().map { $0.events.first?.message ?? "" }
        #expect(firsts.contains { $0.contains("cluster \(lastKind) lost") }, "the alert that could not be stored is missing: \(firsts)")
        let size = e2e.fileSize
        try await e2e.until("the checkpoint at the end of the file", daemon: daemon) { e2e.committedOffset() == size }
        #expect(daemon.output.contains("alert store works again"))
    }

    static let kinds = ["quorum", "fencing", "replication", "heartbeat", "election", "snapshot"]

    /// Ten error lines of a template no earlier burst had (the word counts differ).
    static func burst(_ k: Int) -> [String] {
        (1...10).map { "2026-11-26 10:1\(k):\(String(format: "%02d", $0)) CRITICAL cluster \(kinds[k]) lost" + String(repeating: " again", count: k + 1) + " on node \($0)" }
    }
}
