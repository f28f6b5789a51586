#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import Foundation
import Testing
import RationCore
@testable import AlertStore

/// The `rationd` executable built next to the test bundle (`swift build --build-tests`).
enum RationdExecutable {
    static let path: String? = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let candidate = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("rationd").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        print("skipping crash test: no rationd executable next to \(exe) (build it with swift build --build-tests)")
        return nil
    }()
}

/// A child process whose stdout is read line by line.
final class ChildProcess {
    let pid: pid_t
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(_ arguments: [String]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, arguments[0], &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO)
        }
        pid = child
        fd = fds[0]
    }

    /// Lines available within `timeout` seconds (empty at end of output).
    func lines(timeout: Double) -> [String] {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return [] }
        buffer.append(contentsOf: chunk[0..<n])
        var result: [String] = []
        while let nl = buffer.firstIndex(of: 0x0A) {
            result.append(String(decoding: buffer[..<nl], as: UTF8.self))
            buffer.removeSubrange(...nl)
        }
        return result
    }

    func kill9() -> Int32 {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(fd)
        return status
    }
}

@Suite struct CrashTests {
    /// A writer is killed with SIGKILL at random moments (appends, seals, ring removals) 24
    /// times; after each restart every acknowledged alert is readable and intact, and nothing
    /// unacknowledged is half-visible.
    @Test(.enabled(if: RationdExecutable.path != nil, "no rationd executable next to the test bundle (swift build --build-tests)"))
    func killNineRepeatedly() throws {
        let rationd = try #require(RationdExecutable.path)
        let dir = TestDirectory("crash")
        defer { dir.remove() }
        let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 6, repeatEvery: 4)
        let segmentBytes = 16 << 10, totalBytes = 96 << 10
        var acked: [UInt64: Int] = [:]          // id -> highest acknowledged count
        var labelled = Set<UInt64>()
        var next = 0
        var rng = SplitMix64(seed: UInt64(time(nil)))
        var leftoversSeen = 0, removalsSeen = 0, checked = 0
        let started = Date()
        for round in 0..<24 {
            let child = try ChildProcess([rationd, "alerts", "crash-writer", "--directory", dir.path, "--start", "\(next)",
                                          "--segment-bytes", "\(segmentBytes)", "--total-bytes", "\(totalBytes)"])
            // Let it acknowledge something, then kill it after a random delay.
            var lines: [String] = []
            let deadline = Date().addingTimeInterval(20)
            while !lines.contains(where: { $0.hasPrefix("ACK") }) && Date() < deadline {
                lines += child.lines(timeout: 1)
            }
            let delay = Double(rng.next() % 250) / 1000
            let until = Date().addingTimeInterval(delay)
            while Date() < until { lines += child.lines(timeout: max(0.001, until.timeIntervalSinceNow)) }
            let status = child.kill9()
            lines += child.lines(timeout: 0)
            #expect(status & 0x7F == SIGKILL, "round \(round): the writer died on its own (status \(status)): \(lines.suffix(3))")
            for line in lines {
                let parts = line.split(separator: " ")
                if parts.first == "ACK", parts.count == 4, let id = UInt64(parts[1]), let n = Int(parts[2]), let count = Int(parts[3]) {
                    acked[id] = max(acked[id] ?? 0, count)
                    next = max(next, n + 1)
                }
                if parts.first == "LABEL", parts.count == 3, let id = UInt64(parts[1]) { labelled.insert(id) }
            }

            // Restart (recovery) and check.
            let store = try AlertStore(configuration: AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: segmentBytes,
                                                                              totalMaxBytes: totalBytes, blockMaxBytes: 4096))
            let report = store.recoveryReport
            if !report.removedLeftovers.isEmpty || report.truncatedBytes > 0 { leftoversSeen += 1 }
            #expect(report.damaged.allSatisfy { $0.reason == AlertStore.tornTailReason }, "round \(round): \(report)")
            let status2 = store.status
            let floor = status2.oldestRetainedID.rawValue
            for (id, count) in acked {
                let found = try store.alert(id: AlertID(id))
                if id >= floor {
                    #expect(found != nil, "round \(round): acknowledged alert \(id) lost (floor \(floor))")
                }
                if let found {
                    #expect(found.count >= count, "round \(round): alert \(id) count \(found.count) < acknowledged \(count)")
                    if labelled.contains(id) { #expect(found.operatorLabel?.label == .abnormal, "round \(round): label of \(id) lost") }
                    checked += 1
                } else {
                    removalsSeen += 1
                }
            }
            // Every visible alert is whole: exactly what the writer generated for its key.
            for alert in try store.query(AlertQuery(limit: .max)) {
                let n = try #require(SyntheticAlerts.number(of: alert.window.key))
                let original = synthetic.alert(n)
                #expect(alert.window == original.window && alert.host == original.host && alert.count >= 1,
                        "round \(round): alert \(alert.id) is not what was written")
            }
            store.close()
        }
        print("crash test: 24 kills in \(Int(Date().timeIntervalSince(started))) s, \(acked.count) acknowledged alerts, "
              + "\(checked) checks, \(leftoversSeen) restarts repaired an interrupted seal or write, \(removalsSeen) checks of ring-removed alerts")
        #expect(acked.count > 24)
        #expect(removalsSeen > 0, "the ring removed segments during the test")
    }
}
