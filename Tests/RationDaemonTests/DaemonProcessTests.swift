import Control
import Foundation
import ProcessTestSupport
import Testing

/// The real `rationd run` process: sd_notify protocol, SIGHUP and varlink reload that keep the
/// running configuration when the file is bad, graceful SIGTERM, `--check-config`.
@Suite(.serialized) struct DaemonProcessTests {
    static func config(_ dir: String, statusInterval: String = "1s", extra: String = "") -> String {
        """
        [daemon]
        state_directory = "\(dir)/state"
        status_interval = "\(statusInterval)"
        shutdown_timeout = "5s"
        \(extra)
        [control]
        socket = "\(dir)/run/io.rationd"
        """
    }

    @Test func lifecycleNotifyReloadAndStop() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-daemon-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configPath = dir + "/rationd.toml"
        try Self.config(dir).write(toFile: configPath, atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: dir + "/notify")
        defer { notify.stop() }
        let daemon = try ChildProcess(Binaries.path("rationd"), ["run", "--config", configPath],
                                      environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "600000"],
                                      outputPath: dir + "/rationd.log")
        var exited = false
        defer { if !exited { daemon.signal(SIGKILL); _ = try? waitpidBlocking(daemon.pid) } }

        let ready = try #require(await notify.wait(for: "READY=1"), "no READY=1; log:\n\(daemon.output)")
        // The version is what the build put in (`make` builds in `git describe`; `swift build` says unknown).
        let built = try Self.versionOutput()
        #expect(!built.isEmpty)
        #expect(notify.all[ready].contains("STATUS=rationd \(built)"))
        #expect(await notify.wait(for: "WATCHDOG=1", after: ready, seconds: 5) != nil)
        #expect(await notify.wait(for: "STATUS=", after: ready + 1, seconds: 5) != nil)

        let socket = dir + "/run/io.rationd"
        let version = try await onThread { try VarlinkClient(socketPath: socket).call("io.rationd.GetStatus").object?["version"] }
        #expect(version == .string(built))

        // Abuse of the daemon's own socket: malformed JSON, an unknown method, a 10 MiB message.
        let abuse = try await onThread { () -> [String?] in
            let c = try VarlinkClient(socketPath: socket)
            try c.sendRaw(Array("{not json".utf8) + [0])
            let malformed = try c.receive().error
            let unknown: String?
            do { _ = try c.call("io.rationd.Nope"); unknown = nil } catch VarlinkClientError.remote(let e) { unknown = e.name }
            let big = try VarlinkClient(socketPath: socket)
            do { try big.sendRaw([UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20) + [0]) } catch VarlinkClientError.connectionClosed {}
            let tooLarge = try big.receive().error
            let info = try VarlinkClient(socketPath: socket).call("org.varlink.service.GetInfo").object?["product"]
            return [malformed, unknown, tooLarge, info == .string("rationd") ? "served" : nil]
        }
        #expect(abuse == ["io.rationd.InvalidRequest", "org.varlink.service.MethodNotFound", "io.rationd.MessageTooLarge", "served"])

        // A bad file on SIGHUP: RELOADING=1 with MONOTONIC_USEC, READY=1 again, old configuration kept.
        try Self.config(dir, extra: "log_levl = \"debug\"").write(toFile: configPath, atomically: true, encoding: .utf8)
        let before = notify.all.count
        daemon.signal(SIGHUP)
        let reloading = try #require(await notify.wait(for: "RELOADING=1", after: before))
        #expect(notify.all[reloading].contains("MONOTONIC_USEC="))
        #expect(await notify.wait(for: "READY=1", after: reloading) != nil)
        #expect(await waitFor { daemon.output.contains("rationd.toml:5: daemon.log_levl: unknown key") })
        #expect(daemon.output.contains("keeping the running configuration"))

        // The same through varlink: a ReloadFailed error naming file, line and key.
        let failed = try await onThread { () -> String in
            do { _ = try VarlinkClient(socketPath: socket).call("io.rationd.Reload"); return "no error" }
            catch VarlinkClientError.remote(let e) { return e.description }
        }
        #expect(failed.hasPrefix("io.rationd.ReloadFailed"))
        #expect(failed.contains("rationd.toml:5: daemon.log_levl: unknown key"))

        // A good file: the changes are reported.
        try Self.config(dir, statusInterval: "2s").write(toFile: configPath, atomically: true, encoding: .utf8)
        let changes = try await onThread { try VarlinkClient(socketPath: socket).call("io.rationd.Reload").object?["changes"] }
        #expect(changes == .array([.string("daemon.statusInterval: 1s -> 2s (applied)")]))

        // SIGTERM: STOPPING=1, exit 0, socket removed.
        let beforeStop = notify.all.count
        daemon.signal(SIGTERM)
        let status = try await daemon.wait(seconds: 10)
        exited = true
        #expect(status == 0, "log:\n\(daemon.output)")
        #expect(await notify.wait(for: "STOPPING=1", after: beforeStop, seconds: 2) != nil)
        #expect(!FileManager.default.fileExists(atPath: socket))
        #expect(!daemon.output.contains("Error:"), "log:\n\(daemon.output)")
    }

    @Test func checkConfigNamesFileLineAndKey() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-check-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = dir + "/bad.toml"
        try "[triage]\nthreshold = 0.5\nthreshhold = 0.7\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let failing = try ChildProcess(Binaries.path("rationd"), ["--check-config", "--config", bad], outputPath: dir + "/out1")
        #expect(try await failing.wait(seconds: 20) == 1)
        #expect(failing.output.contains("\(bad):3: triage.threshhold: unknown key"))

        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("etc/rationd/rationd.toml").path
        let passing = try ChildProcess(Binaries.path("rationd"), ["--check-config", "--config", shipped], outputPath: dir + "/out2")
        #expect(try await passing.wait(seconds: 20) == 0)
        #expect(passing.output.contains("rationd.toml: valid"))
    }

    @Test func startFailsClearlyWhenTheSocketIsTaken() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-taken-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configPath = dir + "/rationd.toml"
        try Self.config(dir).write(toFile: configPath, atomically: true, encoding: .utf8)
        let notify = try NotifySocket(path: dir + "/notify")
        defer { notify.stop() }
        let first = try ChildProcess(Binaries.path("rationd"), ["run", "--config", configPath],
                                     environment: ["NOTIFY_SOCKET": notify.path], outputPath: dir + "/first.log")
        defer { first.signal(SIGKILL); _ = try? waitpidBlocking(first.pid) }
        _ = try #require(await notify.wait(for: "READY=1"))
        // Its own state directory (the alert store is locked by the first), the same socket.
        let secondConfig = dir + "/second.toml"
        try Self.config(dir).replacingOccurrences(of: "\(dir)/state", with: "\(dir)/state2")
            .write(toFile: secondConfig, atomically: true, encoding: .utf8)
        let second = try ChildProcess(Binaries.path("rationd"), ["run", "--config", secondConfig], outputPath: dir + "/second.log")
        #expect(try await second.wait(seconds: 20) == 1)
        #expect(second.output.contains("another server is already listening"))
    }
}


func waitFor(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

extension DaemonProcessTests {
    /// `rationd --version`, trimmed.
    static func versionOutput() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("rationd"))
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
