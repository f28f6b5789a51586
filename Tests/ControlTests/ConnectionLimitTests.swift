#if canImport(Glibc)
import Glibc
#endif
import Control
import Foundation
import Testing

/// Connection slots, idle and request timeouts, on real sockets.
@Suite(.serialized) struct ConnectionLimitTests {
    @Test func theLastSlotIsKeptForRoot() {
        let max = 4
        // Non-root peers get all slots but one.
        #expect(ConnectionAdmission.admits(peerUID: 1000, openNonRoot: 2, openRoot: 0, maxConnections: max))
        #expect(!ConnectionAdmission.admits(peerUID: 1000, openNonRoot: 3, openRoot: 0, maxConnections: max))
        #expect(!ConnectionAdmission.admits(peerUID: nil, openNonRoot: 3, openRoot: 0, maxConnections: max), "unknown peers count as non-root")
        // Root gets the last one.
        #expect(ConnectionAdmission.admits(peerUID: 0, openNonRoot: 3, openRoot: 0, maxConnections: max))
        #expect(!ConnectionAdmission.admits(peerUID: 0, openNonRoot: 3, openRoot: 1, maxConnections: max))
        // Root may use any free slot; a non-root peer is refused once all are taken.
        #expect(ConnectionAdmission.admits(peerUID: 0, openNonRoot: 0, openRoot: 3, maxConnections: max))
        #expect(!ConnectionAdmission.admits(peerUID: 1000, openNonRoot: 0, openRoot: 4, maxConnections: max))
        #expect(!ConnectionAdmission.admits(peerUID: 1000, openNonRoot: 1, openRoot: 3, maxConnections: max))
    }

    /// A user other than root (`nobody`, through setpriv and python3) holds connections open:
    /// it gets all but one slot, then TooManyConnections, and root is still served.
    @Test func rootIsServedWhileOtherUsersHoldTheRest() async throws {
        let python = "/usr/bin/python3", setpriv = "/usr/bin/setpriv"
        try #require(getuid() == 0, "needs root to run a client as another user")
        try #require(FileManager.default.isExecutableFile(atPath: python), "needs \(python)")
        try #require(FileManager.default.isExecutableFile(atPath: setpriv), "needs \(setpriv)")
        let s = try await TestServer.start(configure: { $0.maxConnections = 3; $0.mode = 0o666 })
        defer { s.stopNow() }
        // The directory must be searchable by nobody.
        chmod(s.directory, 0o755)
        let script = """
            import socket, sys
            path = sys.argv[1]
            conns = []
            for i in range(3):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.connect(path)
                c.sendall(b'{"method":"io.rationd.GetStatus"}\\0')
                reply = b''
                while not reply.endswith(b'\\0'):
                    chunk = c.recv(65536)
                    if not chunk: break
                    reply += chunk
                print('refused' if b'TooManyConnections' in reply else ('served' if b'version' in reply else 'other'), flush=True)
                conns.append(c)
            sys.stdin.read()
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: setpriv)
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", python, "-c", script, s.socketPath]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        defer { try? input.fileHandleForWriting.close(); p.waitUntilExit() }
        let lines = try await onThread { () -> [String] in
            var lines: [String] = []
            var text = ""
            while lines.count < 3 {
                let d = output.fileHandleForReading.availableData
                if d.isEmpty { break }
                text += String(decoding: d, as: UTF8.self)
                lines = text.split(separator: "\n").map(String.init)
            }
            return lines
        }
        #expect(lines == ["served", "served", "refused"], "\(lines)")
        #expect(await TestServer.eventually { s.server.activeConnections == 2 })
        try await onThread {
            let root = try s.client()
            _ = try root.call("io.rationd.GetStatus")
        }
    }

    @Test func anIdleConnectionIsClosedAfterTheTimeout() async throws {
        let s = try await TestServer.start { $0.idleTimeout = .seconds(1) }
        defer { s.stopNow() }
        try await onThread {
            let idle = try s.client(timeout: .seconds(10))
            let trickle = try s.client(timeout: .seconds(10))
            let busy = try s.client(timeout: .seconds(10))
            let start = Date()
            // Requests keep a connection; bytes that never complete one do not.
            for _ in 0..<6 {
                _ = try busy.call("io.rationd.GetStatus")
                try? trickle.sendRaw([UInt8](#"{"#.utf8))
                Thread.sleep(forTimeInterval: 0.4)
            }
            // Under load the loop itself can outlast the timeout several times over: the idle
            // connection must be closed by its end, or within a moment of it (not at the
            // client's 10 s read timeout).
            let loop = Date().timeIntervalSince(start)
            do {
                _ = try idle.receiveRaw()
                throw Failure("the idle connection got data")
            } catch VarlinkClientError.connectionClosed {}
            let waited = Date().timeIntervalSince(start)
            try expect(waited < max(5, loop + 2), "closed after \(waited)s (the loop took \(loop)s)")
            do {
                _ = try trickle.receiveRaw()
                throw Failure("the trickling connection got data")
            } catch VarlinkClientError.connectionClosed {}
            _ = try busy.call("io.rationd.GetStatus")
        }
    }

    @Test func aCallOverTheRequestTimeoutGetsAnError() async throws {
        let handler = FakeControlHandler()
        handler.state.withLockedValue { $0.statusDelay = .seconds(30) }
        let s = try await TestServer.start(handler: handler) { $0.requestTimeout = .milliseconds(500) }
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let start = Date()
            try expectError(try c.call("io.rationd.GetStatus"), "io.rationd.Timeout", ["seconds": .number(0.5)])
            try expect(Date().timeIntervalSince(start) < 5, "answered at the timeout")
            // The connection goes on serving other calls.
            _ = try c.call("io.rationd.ListTemplates")
        }
    }
}

extension ConnectionLimitTests {
    /// A client that asks for a large reply and never reads it: the write waits on its socket
    /// buffer, and the idle timeout frees the slot.
    @Test func aClientThatStopsReadingLosesItsConnection() async throws {
        let templates = (1...1000).map { i in
            TemplateRecord(id: UInt64(i), text: "t\(i) " + String(repeating: "y", count: 900), count: i, firstSeen: 0, lastSeen: 0)
        }
        let s = try await TestServer.start(handler: FakeControlHandler(alerts: [], templates: templates)) {
            $0.idleTimeout = .seconds(1)
            $0.maxMessageBytes = 8 << 20
        }
        defer { s.stopNow() }
        let server = s.server
        try await onThread {
            let c = try s.client(timeout: .seconds(10))
            // Several large replies queued: far more than the socket buffers hold.
            for _ in 0..<8 { try c.send(VarlinkCall(method: "io.rationd.ListTemplates", parameters: .object(["limit": .integer(1000)]))) }
            let start = Date()
            var seenOpen = false
            while Date().timeIntervalSince(start) < 10 {
                let open = server.activeConnections
                if open == 1 { seenOpen = true }
                if open == 0, seenOpen { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            // The client is still connected (this thread holds it) and has read nothing.
            withExtendedLifetime(c) {}
            try expect(seenOpen && server.activeConnections == 0, "stuck connection closed: seen open \(seenOpen), open now \(server.activeConnections)")
            try expect(Date().timeIntervalSince(start) < 6, "closed within the idle timeout")
        }
    }
}
