import Foundation
import Testing

/// Black-box tests of `rationd follow-files` against the real `logrotate`, with a writer
/// appending sequence-numbered lines at more than 5,000 lines/s as a separate process.
@Suite(.serialized) struct FileRotationTests {
    enum Mode: String, CaseIterable, Sendable {
        case create, copytruncate, delaycompress

        var directives: String {
            switch self {
            case .create: return "create"
            case .copytruncate: return "copytruncate"
            case .delaycompress: return "create\n    compress\n    delaycompress"
            }
        }
    }

    static let rotations = 20
    static let linesPerSecond = 8000.0

    @Test(arguments: Mode.allCases)
    func noGapNoDuplicateAcrossRotations(mode: Mode) throws {
        guard Self.selected(mode), let tools = Tools.find() else { return }
        let result = try Scenario(mode: mode, tools: tools, kills: [:]).run()
        result.check(allowDuplicates: false)
    }

    @Test(arguments: Mode.allCases)
    func noGapAcrossKillNineRestarts(mode: Mode) throws {
        guard Self.selected(mode), let tools = Tools.find() else { return }
        // Five kill -9 restarts; at two of them a rotation happens while the reader is down.
        let kills: [Int: Bool] = [2: false, 5: true, 9: false, 12: true, 16: false]
        let result = try Scenario(mode: mode, tools: tools, kills: kills).run()
        result.check(allowDuplicates: true)
        #expect(result.restarts >= 5)
    }

    /// RATIOND_ROTATION_MODES=create,copytruncate limits the modes run (default: all).
    static func selected(_ mode: Mode) -> Bool {
        guard let list = ProcessInfo.processInfo.environment["RATIOND_ROTATION_MODES"] else { return true }
        return list.split(separator: ",").contains { $0 == mode.rawValue }
    }

    struct Tools {
        var rationd: String
        var logrotate: String
        var python: String

        static func find() -> Tools? {
            guard let rationd = rationdExecutable() else {
                print("skipped: rationd executable not found next to the tests (build with `swift build --build-tests`)")
                return nil
            }
            guard let logrotate = findExecutable("logrotate") else {
                print("skipped: logrotate not installed (apt-get install logrotate)")
                return nil
            }
            guard let python = findExecutable("python3") else {
                print("skipped: python3 not installed")
                return nil
            }
            return Tools(rationd: rationd, logrotate: logrotate, python: python)
        }
    }

    struct Result {
        var mode: Mode
        var written: Int
        var writerRate: Double
        var rotations: Int
        var restarts: Int
        var instances: [Instance]
        /// copytruncate only: sequence numbers found in any file at the end. logrotate
        /// destroys lines written between the end of its copy and the truncation (it fsyncs
        /// the copy in between); a reader can only deliver those if it read them in time.
        var onDisk: Set<Int>?

        struct Instance {
            var seqs: [Int]
            var garbage: Int
            var lastCommit: Int?
            var notices: [String]
        }

        func check(allowDuplicates: Bool) {
            var firstIndex = [Int: Int]()
            var global = 0
            var lastCommitGlobal = 0
            var duplicates = 0
            var badDuplicates = 0
            for instance in instances {
                let start = global
                let allowedFrom = lastCommitGlobal
                for seq in instance.seqs {
                    if let earlier = firstIndex[seq] {
                        duplicates += 1
                        // Allowed only for lines a killed reader printed after its last commit.
                        if !allowDuplicates || earlier < allowedFrom || earlier >= start { badDuplicates += 1 }
                    } else {
                        firstIndex[seq] = global
                    }
                    global += 1
                }
                if let commit = instance.lastCommit { lastCommitGlobal = start + commit }
            }
            let undelivered = (0..<written).filter { firstIndex[$0] == nil }
            let destroyed = onDisk.map { disk in undelivered.filter { !disk.contains($0) } } ?? []
            let missing = undelivered.filter { !destroyed.contains($0) }
            let unexpected = firstIndex.keys.filter { $0 >= written }.count
            let garbage = instances.map(\.garbage).reduce(0, +)
            print("logrotate \(mode.rawValue): \(written) lines at \(Int(writerRate)) lines/s, \(rotations) rotations, "
                + "\(restarts) kill -9 restarts; missing \(missing.count), duplicates \(duplicates) "
                + "(not allowed: \(badDuplicates)), garbage \(garbage)"
                + (onDisk == nil ? "" : "; lines destroyed by copytruncate before anyone could read them: \(destroyed.count)"))
            for (i, instance) in instances.enumerated() {
                for notice in instance.notices.prefix(10) { print("  reader \(i): \(notice)") }
            }
            #expect(writerRate >= 5000, "writer too slow for the test's claim")
            #expect(rotations >= FileRotationTests.rotations)
            #expect(missing.isEmpty, "gap: \(missing.count) lines never delivered, first \(missing.prefix(10))")
            #expect(unexpected == 0)
            #expect(garbage == 0)
            #expect(badDuplicates == 0)
        }
    }

    struct Scenario {
        var mode: Mode
        var tools: Tools
        /// Rotation index -> whether one more rotation happens while the reader is down.
        var kills: [Int: Bool]

        func run() throws -> Result {
            let dir = TestDirectory("logrotate-\(mode.rawValue)")
            if ProcessInfo.processInfo.environment["RATIOND_KEEP_TEST_DIRS"] != nil { dir.keep = true }
            let log = dir.file("app.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let conf = dir.file("logrotate.conf")
            try "\(log) {\n    rotate 1000\n    missingok\n    \(mode.directives)\n}\n"
                .write(toFile: conf, atomically: true, encoding: .utf8)
            chmod(conf, 0o644)
            let writerScript = dir.file("writer.py")
            try Self.writer.write(toFile: writerScript, atomically: true, encoding: .utf8)

            var instances: [Result.Instance] = []
            var instanceIndex = 0
            func startReader() throws -> ChildProcess {
                defer { instanceIndex += 1 }
                return try ChildProcess(tools.rationd, [
                    "follow-files", "--include", log, "--checkpoint", dir.file("checkpoint.json"),
                    "--rotate-wait", "1", "--poll-interval", "0.25", "--commit-interval", "0.1",
                    "--batch-size", "512", "--report-commits", "--exit-with-parent",
                ], stdout: dir.file("out.\(instanceIndex)"), stderr: dir.file("err.\(instanceIndex)"))
            }
            func rotate() throws -> Bool {
                try ChildProcess.run(tools.logrotate, ["-f", "-s", dir.file("logrotate.state"), conf]) == 0
            }

            var reader = try startReader()
            let writer = try ChildProcess(tools.python, [writerScript, log, dir.file("stop"), dir.file("written"),
                                                         String(FileRotationTests.linesPerSecond)])
            defer {
                writer.kill(SIGKILL)
                reader.kill(SIGKILL)
            }
            // Let lines flow before the first rotation.
            _ = Self.waitForOutput(dir.file("out.0"), timeout: .seconds(10))
            var rotations = 0
            var restarts = 0
            for index in 0..<FileRotationTests.rotations {
                usleep(150_000)
                if try rotate() { rotations += 1 }
                if let rotateWhileDown = kills[index] {
                    reader.kill(SIGKILL)
                    reader.wait(timeout: .seconds(10))
                    instances.append(Self.parse(dir: dir, instance: instanceIndex - 1))
                    usleep(100_000)
                    if rotateWhileDown, try rotate() { rotations += 1 }
                    reader = try startReader()
                    restarts += 1
                    // Up again before the next rotation.
                    _ = Self.waitForOutput(dir.file("out.\(instanceIndex - 1)"), timeout: .seconds(10))
                }
            }
            _ = FileManager.default.createFile(atPath: dir.file("stop"), contents: nil)
            #expect(writer.wait(timeout: .seconds(20)), "writer did not stop")
            let summary = (try? String(contentsOfFile: dir.file("written"), encoding: .utf8))?
                .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init) ?? []
            let written = summary.first.flatMap { Int($0) } ?? 0
            let elapsed = summary.count > 1 ? Double(summary[1]) ?? 1 : 1
            // Wait until everything written was delivered, or, once the last line arrived, a
            // little longer (lines copytruncate destroyed never arrive).
            let deadline = ContinuousClock.now + .seconds(30)
            var lastSeenAt: ContinuousClock.Instant?
            while ContinuousClock.now < deadline {
                let delivered = Set((instances + [Self.parse(dir: dir, instance: instanceIndex - 1)]).flatMap(\.seqs))
                if delivered.count >= written && (0..<written).allSatisfy(delivered.contains) { break }
                if lastSeenAt == nil && delivered.contains(written - 1) { lastSeenAt = .now }
                if let lastSeenAt, ContinuousClock.now - lastSeenAt > .seconds(2) { break }
                usleep(100_000)
            }
            usleep(300_000)  // late duplicates would show up here
            reader.kill(SIGTERM)
            if !reader.wait(timeout: .seconds(5)) { reader.kill(SIGKILL) }
            instances.append(Self.parse(dir: dir, instance: instanceIndex - 1))
            var onDisk: Set<Int>?
            if mode == .copytruncate {
                var seqs = Set<Int>()
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                for name in names where name == "app.log" || name.hasPrefix("app.log.") {
                    let data = (try? Data(contentsOf: URL(fileURLWithPath: dir.file(name)))) ?? Data()
                    for line in data.split(separator: 0x0A) {
                        let parts = line.split(separator: 0x20)
                        if parts.count == 3, let n = Int(String(decoding: parts[1], as: UTF8.self)) { seqs.insert(n) }
                    }
                }
                onDisk = seqs
            }
            return Result(mode: mode, written: written, writerRate: Double(written) / elapsed, rotations: rotations,
                          restarts: restarts, instances: instances, onDisk: onDisk)
        }

        static func waitForOutput(_ path: String, timeout: Duration) -> Bool {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < timeout {
                var st = stat()
                if stat(path, &st) == 0 && st.st_size > 0 { return true }
                usleep(10_000)
            }
            return false
        }

        /// Complete lines of one reader's output and its last reported commit.
        static func parse(dir: TestDirectory, instance: Int) -> Result.Instance {
            let out = (try? Data(contentsOf: URL(fileURLWithPath: dir.file("out.\(instance)")))) ?? Data()
            var seqs: [Int] = []
            var garbage = 0
            var lines = out.split(separator: 0x0A, omittingEmptySubsequences: false)
            lines.removeLast()  // after the last newline: empty, or a line cut by kill -9
            for line in lines {
                let text = String(decoding: line, as: UTF8.self)
                let parts = text.split(separator: " ")
                if parts.count == 3, parts[0] == "seq", let n = Int(parts[1]), parts[2].count == 40 {
                    seqs.append(n)
                } else {
                    garbage += 1
                }
            }
            let err = (try? String(contentsOfFile: dir.file("err.\(instance)"), encoding: .utf8)) ?? ""
            let commit = err.split(separator: "\n").last { $0.hasPrefix("commit ") }.flatMap { Int($0.dropFirst(7)) }
            let notices = err.split(separator: "\n").filter { !$0.hasPrefix("commit ") }.map(String.init)
            return Result.Instance(seqs: seqs, garbage: garbage, lastCommit: commit, notices: notices)
        }

        /// Appends `seq N <40 x>` lines, one write each, at a fixed rate; reopens the path when
        /// logrotate replaced it (as daemons do on their reopen signal); O_APPEND so that
        /// copytruncate works. Stops when the stop file appears or the test process is gone.
        static let writer = """
        import os, sys, time
        path, stop, summary, rate = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
        pad = b'x' * 40
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        ino = os.fstat(fd).st_ino
        i = 0
        parent = os.getppid()
        t0 = time.monotonic()
        while True:
            if i % 1000 == 0 and (os.path.exists(stop) or os.getppid() != parent):
                break
            if i % 10 == 0:
                ahead = i / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            try:
                if os.stat(path).st_ino != ino:
                    os.close(fd)
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
                    ino = os.fstat(fd).st_ino
            except FileNotFoundError:
                pass
            os.write(fd, b'seq %09d %s\\n' % (i, pad))
            i += 1
        elapsed = time.monotonic() - t0
        with open(summary + '.tmp', 'w') as f:
            f.write('%d %f\\n' % (i, elapsed))
        os.rename(summary + '.tmp', summary)
        """
    }
}
