import Foundation
import Testing
import RationCore
@testable import Ingest

/// `rationd tap` against a real journald: follow, rotation, vacuum, kill -9, permissions.
/// Skipped (with the reason on standard error) when not root or a tool is missing.
@Suite(.serialized, .enabled(if: JournaldSandbox.available, "needs root, unshare, systemd-journald and a built rationd"))
final class JournaldSandboxTests {
    /// Outputs of one test's scenario; removed with the test instance.
    let work: String

    init() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("journald-\(UUID().uuidString)").path
        try DurableFile.makeDirectories(work)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: work)
    }

    @Test func follows20000EntriesInOrderAcrossRotationAndVacuum() throws {
        let run = try JournaldSandbox.run("scenario-follow.sh", work: work)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try JournaldSandbox.lines("\(work)/follow.out")
        #expect(lines.count == 20000)
        #expect(JournaldSandbox.firstDifference(lines.map(\.message), (1...20000).map { "follow \($0)" }) == nil)
        #expect(lines.allSatisfy { $0.identifier == "rtest-follow" })
        #expect(try String(contentsOfFile: "\(work)/follow.vacuum", encoding: .utf8).contains("Deleted archived journal"))
        // SIGTERM: the last batch was written and committed before exiting.
        #expect(try String(contentsOfFile: "\(work)/follow.rc", encoding: .utf8) == "0\n")
        #expect(try JournaldSandbox.savedCursor("\(work)/follow.ckpt") == lines.last?.cursor)
    }

    /// Seven kill -9 at random points while writing goes on. Whatever the timing, every run
    /// must start right after the checkpoint the previous run committed, deliver in order
    /// without gaps, and commit only what it printed; what it printed after its last commit
    /// (at most one batch) is the only duplication.
    @Test func killNineNeverLosesAndDuplicatesOnlyTheUncommittedBatch() throws {
        let run = try JournaldSandbox.run("scenario-kill.sh", work: work)
        #expect(run.status == 0, "\(run.stderr)")
        let batchSize = 100
        var committedSeq = 0
        var committedCursor: String?
        var unique: [Int] = []
        var duplicates = 0
        var printed = 0
        for name in (1...7).map(String.init) + ["final"] {
            let lines = try JournaldSandbox.lines("\(work)/kill.out.\(name)")
            let numbers = lines.compactMap { JournaldSandbox.number($0.message, prefix: "kill") }
            #expect(numbers.count == lines.count, "run \(name): unexpected messages")
            printed += lines.count
            if let first = numbers.first {
                #expect(first == committedSeq + 1, "run \(name) started at \(first), committed before: \(committedSeq)")
                #expect(JournaldSandbox.firstDifference(numbers, Array(first..<(first + numbers.count))) == nil,
                        "run \(name) has a gap or reorders")
            }
            let saved = try JournaldSandbox.savedCursor("\(work)/kill.ckpt.\(name)")
            if let saved, let index = lines.firstIndex(where: { $0.cursor == saved }) {
                unique += numbers[...index]
                committedSeq = numbers[index]
                let uncommitted = lines.count - index - 1
                #expect(uncommitted <= batchSize, "run \(name) printed \(uncommitted) lines after its last commit")
                duplicates += uncommitted
            } else {
                // Nothing committed in this run: the checkpoint is the previous one.
                #expect(saved == committedCursor, "run \(name) committed a cursor it never printed")
                #expect(lines.count <= batchSize)
                duplicates += lines.count
            }
            committedCursor = saved
        }
        #expect(JournaldSandbox.firstDifference(unique, Array(1...20000)) == nil)
        #expect(committedSeq == 20000)
        #expect(printed == 20000 + duplicates)
        print("kill -9 scenario: \(printed) lines printed for 20000 entries, \(duplicates) duplicates after uncommitted batches")
    }

    @Test func aVacuumedCheckpointResumesWithTheNextEntry() throws {
        let run = try JournaldSandbox.run("scenario-vacuum.sh", work: work)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try JournaldSandbox.lines("\(work)/vac.out.1").map(\.message) == (1...100).map { "vac \($0)" })
        #expect(try String(contentsOfFile: "\(work)/vac.vacuum", encoding: .utf8).contains("Deleted archived journal"))
        #expect(try JournaldSandbox.lines("\(work)/vac.out.2").map(\.message) == (101...200).map { "vac \($0)" })
        #expect(try String(contentsOfFile: "\(work)/vac.err.2", encoding: .utf8).contains("is no longer in the journal"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/logger"), "/usr/bin/logger is missing"))
    func namespaceAndLocalSourcesReadTheirOwnJournalOnly() throws {
        let run = try JournaldSandbox.run("scenario-namespace.sh", work: work)
        #expect(run.status == 0, "\(run.stderr)")
        // The default namespace holds "default N" from the same identifier; none may appear.
        #expect(try JournaldSandbox.lines("\(work)/ns.out").map(\.message) == (1...50).map { "ns \($0)" })
        #expect(try JournaldSandbox.lines("\(work)/local.out").map(\.message) == (1...50).map { "default \($0)" })
    }

    static let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]
    /// Nobody must be able to run the built binary (a build under /root is not reachable).
    static let nobodyCanRunRationd = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && JournaldSandbox.rationd.map { (try? JournaldSandbox.status("/usr/bin/setpriv", asNobody + [$0, "--version"])) == 0 } == true

    @Test(.enabled(if: nobodyCanRunRationd, "needs /usr/bin/setpriv, and user nobody able to run the built rationd"))
    func anUnreadableJournalNamesTheSystemdJournalGroup() throws {
        let asNobody = Self.asNobody
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let journal = try fixtures.unpack("sequence", into: "j")
        chmod(fixtures.root, 0o755)
        chmod("\(fixtures.root)/j", 0o755)
        chmod(journal, 0o640)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = asNobody + [JournaldSandbox.rationd!,
                             "tap", "--journal-directory", "\(fixtures.root)/j", "--exit-when-idle", "1"]
        let errors = try CapturedStderr()
        process.standardError = errors.handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let stderr = errors.text()
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("\(journal): permission denied"))
        #expect(stderr.contains("systemd-journal"))
    }
}
