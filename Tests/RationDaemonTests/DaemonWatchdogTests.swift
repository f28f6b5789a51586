import Foundation
import ProcessTestSupport
import RationDaemon
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The watchdog means progress: the built `rationd run` pings WATCHDOG=1 only while every stage
/// moves. A file source whose open blocks forever (a FIFO with no writer appears at its path)
/// stops the pings within the watchdog interval; once it moves again, they resume.
@Suite(.serialized) struct DaemonWatchdogTests {
    @Test(.timeLimit(.minutes(2))) func aStuckSourceStopsThePings() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-watchdog-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/app.log"
        try """
        [daemon]
        state_directory = "\(dir)/state"
        shutdown_timeout = "5s"
        [sources.journal]
        enabled = false
        [[sources.files]]
        name = "app"
        path = "\(fifo)"
        [reasoning]
        enabled = false
        [control]
        socket = "\(dir)/io.rationd"
        """.write(toFile: dir + "/rationd.toml", atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: dir + "/notify")
        defer { notify.stop() }
        let watchdogSeconds = 4.0
        let daemon = try ChildProcess(Binaries.path("rationd"), ["run", "--config", dir + "/rationd.toml"],
                                      environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "\(Int(watchdogSeconds * 1e6))"],
                                      outputPath: dir + "/rationd.log")
        defer { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) }
        let ready = try #require(await notify.wait(for: "READY=1"), "no READY=1; log:\n\(daemon.output)")
        #expect(await notify.wait(for: "WATCHDOG=1", after: ready, seconds: 5) != nil, "no ping while healthy")

        // The source's reader blocks in open(2) on a FIFO nobody writes to.
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(await waitFor(seconds: 20) { daemon.output.contains("no progress") }, "stall not noticed:\n\(daemon.output)")
        #expect(daemon.output.contains("source files.app"), "\(daemon.output)")
        // No ping for longer than the watchdog interval: systemd would restart the daemon.
        let stalledAt = notify.all.count
        try await Task.sleep(for: .seconds(watchdogSeconds * 1.5))
        #expect(!notify.all[stalledAt...].contains { $0.contains("WATCHDOG=1") }, "pings went on while a source was stuck")

        // A writer appears: the open returns, the source moves again, and so do the pings.
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        #expect(writer >= 0)
        defer { close(writer) }
        #expect(await waitFor(seconds: 20) { daemon.output.contains("watchdog pings resume") }, "\(daemon.output)")
        #expect(await notify.wait(for: "WATCHDOG=1", after: stalledAt, seconds: 10) != nil)
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
