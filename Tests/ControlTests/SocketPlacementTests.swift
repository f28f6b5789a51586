#if canImport(Glibc)
import Glibc
#endif
import Control
import Foundation
import Testing

/// The socket appears with its configured mode, never through a link, in a safe directory.
@Suite(.serialized) struct SocketPlacementTests {
    static func lstatMode(_ path: String) throws -> mode_t {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw Failure("\(path): \(String(cString: strerror(errno)))") }
        return st.st_mode
    }

    /// The umask is process-wide, so tests that share this process cannot change it: the
    /// daemon is started under umask 000 in `DaemonRecoveryTests` instead.
    @Test func theSocketHasTheConfiguredModeAndNothingIsLeftBeside() async throws {
        let s = try await TestServer.start { $0.mode = 0o600 }
        defer { s.stopNow() }
        let mode = try Self.lstatMode(s.socketPath)
        #expect(mode & S_IFMT == S_IFSOCK)
        #expect(mode & 0o7777 == 0o600, "mode \(String(mode & 0o7777, radix: 8))")
        // Nothing is left behind beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.directory) == ["io.rationd"])
    }

    @Test func aSymlinkAtTheSocketPathIsReplacedNotFollowed() async throws {
        let victimDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-victim-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: victimDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: victimDirectory) }
        let victim = victimDirectory + "/shadow"
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: victim))
        chmod(victim, 0o600)
        let s = try await TestServer.start(configure: { $0.mode = 0o666 }, prepare: { _, socket in
            guard symlink(victim, socket) == 0 else { throw Failure("symlink: \(String(cString: strerror(errno)))") }
        })
        defer { s.stopNow() }
        #expect(try Self.lstatMode(s.socketPath) & S_IFMT == S_IFSOCK, "the link was replaced by the socket")
        let victimMode = try Self.lstatMode(victim)
        #expect(victimMode & S_IFMT == S_IFREG && victimMode & 0o7777 == 0o600, "the link's target is untouched")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "secret\n")
        try await onThread { _ = try s.client().call("io.rationd.GetStatus") }
    }

    @Test func aDirectoryOthersCanWriteIsRefused() async throws {
        await #expect(throws: ControlServerError.self) {
            let s = try await TestServer.start(prepare: { directory, _ in chmod(directory, 0o777) })
            s.stopNow()
        }
    }
}
