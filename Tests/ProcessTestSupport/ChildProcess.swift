import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shared by the test targets that drive the built `rationd` and `rationctl`.
///
/// A child process started with posix_spawn: clean signal mask and dispositions (unlike
/// Foundation's Process), output to a file, signals and a blocking wait under test control.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let outputPath: String

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], outputPath: String) throws {
        self.outputPath = outputPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGHUP, SIGINT, SIGPIPE] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw Failure("posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    public func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits up to `seconds` for the exit; returns the exit status, or 128+signal.
    public func wait(seconds: Double) async throws -> Int32 {
        let pid = self.pid
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                if status & 0x7f == 0 { return (status >> 8) & 0xff }
                return 128 + (status & 0x7f)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        throw Failure("pid \(pid) did not exit within \(seconds)s")
    }

    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}

public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The built executables (`swift build` puts them next to the test bundle).
public enum Binaries {
    public static func path(_ name: String) -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/\(name)").path,
        ]
        return candidates.first(where: FileManager.default.isExecutableFile) ?? candidates[1]
    }
}

/// Reaps a child that was sent SIGKILL.
public func waitpidBlocking(_ pid: pid_t) throws -> Int32 {
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return status
}
