import Foundation
import RationCore
@testable import Ingest

/// Runs the Fixtures/Journal scenarios against a real systemd-journald in private mount and
/// PID namespaces (journald-sandbox.sh), with the built `rationd tap` as the reader.
enum JournaldSandbox {
    static let journald = "/lib/systemd/systemd-journald"
    static let tools = ["/usr/bin/unshare", "/usr/bin/systemd-cat", "/usr/bin/journalctl", "/usr/bin/timeout", journald]

    /// The `rationd` executable built beside the test bundle.
    static var rationd: String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("rationd").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Why the sandbox cannot run here, or nil; printed once when a test is skipped.
    static let unavailableReason: String? = {
        let reason: String? =
            if getuid() != 0 { "not root" }
            else if let missing = tools.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) { "\(missing) is missing" }
            else if rationd == nil { "the rationd executable is not built next to the tests (swift build --build-tests)" }
            else if !namespacesWork { "unshare cannot create mount and PID namespaces here (no CAP_SYS_ADMIN?)" }
            else { nil }
        if let reason { FileHandle.standardError.write(Data("skipping real-journald tests: \(reason)\n".utf8)) }
        return reason
    }()

    static var available: Bool { unavailableReason == nil }

    /// Whether `unshare` may create the namespaces (containers often forbid it).
    private static var namespacesWork: Bool {
        (try? status("/usr/bin/unshare", ["--mount", "--propagation", "private", "--pid", "--fork", "/bin/true"])) == 0
    }

    /// Runs a program to completion, output discarded; its exit status.
    static func status(_ program: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs `scenario` (a script in Fixtures/Journal) in the sandbox with outputs in `work`;
    /// returns its exit status and its standard error.
    static func run(_ scenario: String, work: String, limit: Int = 120) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=5", String(limit), "/usr/bin/unshare", "--mount", "--propagation", "private",
                             "--pid", "--fork", "--kill-child", "--mount-proc",
                             "\(JournalFixtures.directory)/journald-sandbox.sh", "\(JournalFixtures.directory)/\(scenario)"]
        var environment = ProcessInfo.processInfo.environment
        environment["RATIOND"] = rationd
        environment["WORK"] = work
        process.environment = environment
        let errors = try CapturedStderr()
        process.standardError = errors.handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, errors.text())
    }

    /// One line of `rationd tap --format jsonl`.
    struct TapLine: Decodable {
        var message: String
        var cursor: String
        var identifier: String?
    }

    /// The complete lines of a tap output (a trailing line cut by kill -9 is left out).
    static func lines(_ path: String) throws -> [TapLine] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()   // empty after a final newline, or an incomplete line
        return try lines.map { try JSONDecoder().decode(TapLine.self, from: Data($0)) }
    }

    /// The cursor saved in a checkpoint file, or nil when there is none.
    static func savedCursor(_ path: String, source: SourceID = "journal") throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard case let .journalCursor(cursor)? = try CheckpointStore(path: path).load()[source]?.position else { return nil }
        return cursor
    }

    /// Where two long sequences first differ, or nil when equal (keeps failure messages short).
    static func firstDifference<T: Equatable>(_ actual: [T], _ expected: [T]) -> String? {
        if let index = zip(actual, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            return "at \(index): \(actual[max(0, index - 2)..<min(actual.count, index + 3)]) expected \(expected[max(0, index - 2)..<min(expected.count, index + 3)])"
        }
        return actual.count == expected.count ? nil : "\(actual.count) elements, expected \(expected.count)"
    }

    /// N in "prefix N".
    static func number(_ message: String, prefix: String) -> Int? {
        guard message.hasPrefix(prefix + " ") else { return nil }
        return Int(message.dropFirst(prefix.count + 1))
    }
}
