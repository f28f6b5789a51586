import Foundation
import ProcessTestSupport
import RationDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The watchdog means progress: the built `rationd run` pings WATCHDOG=1 only while every stage
/// moves. Its state directory is a real ext4 file system (a loop device, in a private mount
/// namespace) that `fsfreeze` freezes, as storage that hangs does: the stage task blocks in its
/// next checkpoint write, the pings stop within the watchdog interval and the log names the
/// stage; once the file system thaws, the stage moves and the pings resume.
@Suite(.serialized) struct DaemonWatchdogTests {
    static let tools = ["/usr/bin/unshare", "/usr/sbin/mkfs.ext4", "/usr/sbin/fsfreeze", "/usr/bin/mount", "/usr/bin/truncate", "/usr/sbin/losetup"]
    static let available = getuid() == 0 && tools.allSatisfy(FileManager.default.isExecutableFile)
        && FileManager.default.fileExists(atPath: "/dev/loop-control")

    @Test(.enabled(if: available, "needs root, loop devices, mkfs.ext4, fsfreeze and unshare"), .timeLimit(.minutes(3)))
    func frozenStorageStopsThePingsUntilItThaws() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-watchdog-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/app.log"
        #expect(FileManager.default.createFile(atPath: log, contents: Data(Self.lines(0..<50).utf8)))
        try """
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
        [triage]
        snapshot_interval = "1s"
        [reasoning]
        enabled = false
        [control]
        socket = "\(dir)/io.rationd"
        """.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: dir + "/notify")
        defer { notify.stop() }
        let watchdogSeconds = 4.0
        // Each wait is bounded, and the file system is thawed and unmounted whatever happens.
        let script = """
        set -e
        truncate -s 64M "$D/ext4.img"
        mkfs.ext4 -q -F "$D/ext4.img"
        mkdir -p "$D/state"
        dev=$(losetup -f --show "$D/ext4.img")
        trap 'set +e; fsfreeze -u "$D/state" 2>/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; umount "$D/state"; losetup -d $dev' EXIT
        mount "$dev" "$D/state"
        NOTIFY_SOCKET="$D/notify" WATCHDOG_USEC=\(Int(watchdogSeconds * 1e6)) "$RATIOND" run --config "$D/rationd.toml" > "$D/rationd.log" 2>&1 &
        pid=$!
        step() { for i in $(seq 600); do [ -e "$D/$1" ] && return 0; sleep 0.1; done; echo "no $1" >&2; exit 1; }
        step freeze; fsfreeze -f "$D/state"; touch "$D/frozen"
        step thaw; fsfreeze -u "$D/state"; touch "$D/thawed"
        step stop
        """
        let child = try ChildProcess("/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script],
                                     environment: ["D": dir, "RATIOND": Binaries.path("rationd")], outputPath: dir + "/script.log")
        var finished = false
        defer {
            // On a failed expectation: thaw and stop, and wait for the script's cleanup.
            if !finished {
                FileManager.default.createFile(atPath: dir + "/thaw", contents: nil)
                FileManager.default.createFile(atPath: dir + "/stop", contents: nil)
                for _ in 0..<300 where kill(child.pid, 0) == 0 { usleep(100_000) }
            }
        }
        let daemonLog = { (try? String(contentsOfFile: dir + "/rationd.log", encoding: .utf8)) ?? "" }
        let ready = try #require(await notify.wait(for: "READY=1", seconds: 30), "no READY=1: \(child.output)\n\(daemonLog())")
        let healthy = try #require(await notify.wait(for: "WATCHDOG=1", after: ready, seconds: 5), "no ping while healthy")
        #expect(await notify.wait(for: "WATCHDOG=1", after: healthy + 1, seconds: 5) != nil, "pings stopped while healthy")

        // Storage hangs; new lines make the stage write (checkpoints, snapshots) and block.
        FileManager.default.createFile(atPath: dir + "/freeze", contents: nil)
        #expect(await waitFor(seconds: 20) { FileManager.default.fileExists(atPath: dir + "/frozen") }, "\(child.output)")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(Self.lines(50..<100).utf8))
        try handle.close()
        #expect(await waitFor(seconds: 20) { daemonLog().contains("no progress") }, "stall not noticed:\n\(daemonLog())")
        #expect(daemonLog().contains("stage task"), "\(daemonLog())")
        // No ping for longer than the watchdog interval: systemd would restart the daemon.
        let stalledAt = notify.all.count
        try await Task.sleep(for: .seconds(watchdogSeconds * 1.5))
        #expect(!notify.all[stalledAt...].contains { $0.contains("WATCHDOG=1") }, "pings went on while the stage was stuck")

        // The storage comes back: the stage moves on, and so do the pings.
        FileManager.default.createFile(atPath: dir + "/thaw", contents: nil)
        #expect(await waitFor(seconds: 20) { daemonLog().contains("watchdog pings resume") }, "\(daemonLog())")
        #expect(await notify.wait(for: "WATCHDOG=1", after: stalledAt, seconds: 10) != nil)
        FileManager.default.createFile(atPath: dir + "/stop", contents: nil)
        #expect(try await child.wait(seconds: 30) == 0, "\(child.output)")
        finished = true
    }

    static func lines(_ range: Range<Int>) -> String {
        range.map { "2026-12-06 10:00:00 INFO worker \($0 % 5) served request \($0)\n" }.joined()
    }
}

/// The rates systemd's STATUS= line shows between two samples.
@Suite struct ThroughputSampleTests {
    @Test func ratesOverTheInterval() {
        let earlier = ThroughputSample(seconds: 10, records: 1000, windows: 4, llmCalls: 1)
        let now = ThroughputSample(seconds: 20, records: 21_000, windows: 29, llmCalls: 3)
        #expect(now.rates(since: earlier) == "2000 lines/s, 2.5 windows/s, 12 LLM calls/min")
    }

    @Test func aRestartedCounterCountsFromZeroAndNoTimeGivesNoRate() {
        let earlier = ThroughputSample(seconds: 10, records: 1000, windows: 40, llmCalls: 9)
        let now = ThroughputSample(seconds: 20, records: 1500, windows: 5, llmCalls: 0)
        #expect(now.rates(since: earlier) == "50 lines/s, 0.5 windows/s, 0 LLM calls/min")
        #expect(now.rates(since: now) == nil)
    }
}
