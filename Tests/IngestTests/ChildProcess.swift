import Foundation

/// A child process for black-box tests: output to files, killed (SIGKILL) and reaped when the
/// object goes away, so no test path leaves it running.
final class ChildProcess {
    let process = Process()

    init(_ executable: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: stdout)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: stderr)
        }
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    func kill(_ signal: Int32) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeout` for the process to exit; true when it did.
    @discardableResult
    func wait(timeout: Duration) -> Bool {
        let start = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - start < timeout { usleep(10_000) }
        return !process.isRunning
    }

    /// Runs to completion and returns the exit status (killed after `timeout`).
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(30)) throws -> Int32 {
        let child = try ChildProcess(executable, arguments)
        if !child.wait(timeout: timeout) {
            child.kill(SIGKILL)
            child.wait(timeout: .seconds(5))
            return -1
        }
        return child.process.terminationStatus
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Finds an executable on PATH (or at an absolute path).
func findExecutable(_ name: String) -> String? {
    if name.hasPrefix("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
        let candidate = "\(dir)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// The `rationd` executable built next to the test bundle (or `$RATIOND_BINARY`).
func rationdExecutable() -> String? {
    if let explicit = ProcessInfo.processInfo.environment["RATIOND_BINARY"] { return findExecutable(explicit) }
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // The bundle may be a directory (…/rationdPackageTests.xctest/…).
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("rationd").path
        var isDirectory: ObjCBool = false
        if access(candidate, X_OK) == 0,
           FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue
        {
            return candidate
        }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}
