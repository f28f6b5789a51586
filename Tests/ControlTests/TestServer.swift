import Control
import Foundation

/// A real `ControlServer` on a real socket in a fresh temporary directory.
struct TestServer {
    let directory: String
    let socketPath: String
    let server: ControlServer
    let handler: FakeControlHandler
    let task: Task<Void, any Error>

    static func start(handler: FakeControlHandler = FakeControlHandler(),
                      configure: (inout ControlServerConfiguration) -> Void = { _ in },
                      prepare: (_ directory: String, _ socketPath: String) throws -> Void = { _, _ in }) async throws -> TestServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rationd-control-\(UUID().uuidString.prefix(8))").path
        // An explicit mode: a test may run with a permissive umask, and the server refuses a
        // directory others can write.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let socketPath = directory + "/io.rationd"
        var configuration = ControlServerConfiguration(socketPath: socketPath, version: "0.1.0-test")
        configure(&configuration)
        try prepare(directory, socketPath)
        let server = try await ControlServer.bind(configuration: configuration, handler: handler)
        let task = Task { try await server.serve() }
        return TestServer(directory: directory, socketPath: socketPath, server: server, handler: handler, task: task)
    }

    func client(timeout: Duration? = .seconds(20)) throws -> VarlinkClient {
        try VarlinkClient(socketPath: socketPath, timeout: timeout)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// For `defer`: cancels the server and removes its directory without waiting.
    func stopNow() {
        task.cancel()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Polls `condition` for up to `seconds`.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

/// Runs blocking work on its own OS thread, so blocking clients never occupy the
/// cooperative pool the server's tasks need.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
