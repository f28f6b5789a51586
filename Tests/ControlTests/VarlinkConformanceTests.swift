import Control
import Foundation
import Testing

/// Raw varlink against the real server on a real socket: introspection, errors, abuse, load.
@Suite(.serialized) struct VarlinkConformanceTests {
    @Test func introspection() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let info = try c.call("org.varlink.service.GetInfo")
            guard case .array(let interfaces)? = info.object?["interfaces"] else { throw Failure("no interfaces") }
            try expect(interfaces == [.string("org.varlink.service"), .string("io.rationd")], "\(interfaces)")
            try expect(info.object?["version"] == .string("0.1.0-test"), "version")

            let d = try c.call("org.varlink.service.GetInterfaceDescription", parameters: .object(["interface": .string("io.rationd")]))
            guard case .string(let text)? = d.object?["description"] else { throw Failure("no description") }
            try expect(text.contains("interface io.rationd"), "interface line")
            for method in RationdInterface.Method.allCases {
                try expect(text.contains("method \(method.rawValue)("), "\(method) described")
            }
            let svc = try c.call("org.varlink.service.GetInterfaceDescription", parameters: .object(["interface": .string("org.varlink.service")]))
            try expect(svc.object?["description"].map { "\($0)" }?.contains("GetInfo") == true, "service description")
        }
    }

    @Test func unknownInterfaceAndMethod() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            try expectError(try c.call("io.rationd.Explode"), "org.varlink.service.MethodNotFound", ["method": .string("io.rationd.Explode")])
            try expectError(try c.call("com.example.Thing.Do"), "org.varlink.service.InterfaceNotFound", ["interface": .string("com.example.Thing")])
            try expectError(try c.call("org.varlink.service.GetInterfaceDescription", parameters: .object(["interface": .string("nope")])),
                            "org.varlink.service.InterfaceNotFound", ["interface": .string("nope")])
            try expectError(try c.call("NoDots"), "io.rationd.InvalidRequest", nil)
            // The connection still serves after every error.
            _ = try c.call("io.rationd.GetStatus")
        }
    }

    @Test func badParametersNameTheParameter() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            try expectError(try c.call("io.rationd.ListAlerts", parameters: .object(["limit": .string("ten")])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("limit")])
            try expectError(try c.call("io.rationd.ListAlerts", parameters: .object(["colour": .string("red")])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("colour")])
            try expectError(try c.call("io.rationd.ListAlerts", parameters: .object(["verdict": .string("maybe")])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("verdict")])
            try expectError(try c.call("io.rationd.GetAlert", parameters: .object([:])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("id")])
            try expectError(try c.call("io.rationd.GetAlert", parameters: .array([])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("parameters")])
            try expectError(try c.call("io.rationd.GetAlert", parameters: .object(["id": .integer(999)])),
                            "io.rationd.AlertNotFound", ["id": .integer(999)])
            try expectError(try c.call("io.rationd.LabelAlert", parameters: .object(["id": .integer(1), "label": .string("meh")])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("label")])
            _ = try c.call("io.rationd.GetStatus")
        }
    }

    @Test func malformedJSONGetsAnErrorAndTheConnectionGoesOn() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            for garbage in ["{\"method\": ", "[1,2,3]", "\"just a string\"", "{\"parameters\": {}}", "\u{FF}\u{FE}", ""] {
                try c.sendRaw(Array(garbage.utf8) + [0])
                let reply = try c.receive()
                try expect(reply.error == "io.rationd.InvalidRequest", "garbage \(garbage.debugDescription) -> \(String(describing: reply.error))")
            }
            try c.sendRaw([0xC3, 0x28, 0x00])  // invalid UTF-8
            try expect(try c.receive().error == "io.rationd.InvalidRequest", "invalid UTF-8")
            _ = try c.call("org.varlink.service.GetInfo")
        }
    }

    @Test func tenMebibyteMessageIsRefusedAndTheServerGoesOn() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let huge = Array("{\"method\":\"io.rationd.GetStatus\",\"parameters\":{\"x\":\"".utf8)
                + [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20) + Array("\"}}".utf8) + [0]
            do { try c.sendRaw(huge) } catch VarlinkClientError.connectionClosed {
                // The server may close before the last byte is written; the reply is still readable.
            }
            let reply = try c.receive()
            try expect(reply.error == "io.rationd.MessageTooLarge", "\(reply)")
            try expect(reply.parameters?.object?["limit"] == .integer(1 << 20), "limit")
            do {
                _ = try c.receive()
                throw Failure("connection stayed open after an oversized message")
            } catch VarlinkClientError.connectionClosed {}
            // A fresh client is served.
            _ = try s.client().call("io.rationd.GetStatus")
        }
    }

    @Test func pipelinedCallsAreAnsweredInOrderAndOnewayGetsNoReply() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            var bytes: [UInt8] = []
            for call in [VarlinkCall(method: "io.rationd.GetStatus", oneway: true),
                         VarlinkCall(method: "org.varlink.service.GetInfo"),
                         VarlinkCall(method: "io.rationd.GetAlert", parameters: .object(["id": .integer(2)]))] {
                bytes += Array(try VarlinkJSON.encode(call)) + [0]
            }
            try c.sendRaw(bytes)
            try expect(try c.receive().parameters?.object?["product"] == .string("rationd"), "GetInfo first")
            let alert = try c.receive().parameters?.object?["alert"]?.object
            try expect(alert?["id"] == .integer(2), "then GetAlert")
        }
    }

    @Test func halfClosedClientStillGetsItsReply() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            try c.send(VarlinkCall(method: "org.varlink.service.GetInfo"))
            c.shutdownWrite()
            try expect(try c.receive().parameters?.object?["vendor"] == .string("rationd"), "reply after half-close")
        }
    }

    @Test func clientDisconnectingMidStreamLeavesTheServerServing() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let handler = s.handler
        let client = Task {
            try await onThread {
                let c = try s.client()
                try c.send(VarlinkCall(method: "io.rationd.ListAlerts", parameters: .object([:]), more: true))
                let first = try c.receive()
                try expect(first.continues == true, "streaming")
                let next = try c.receive()
                try expect(next.continues == true, "still streaming")
                // Leaving the closure closes the socket mid-stream.
            }
        }
        #expect(await TestServer.eventually { handler.followerCount == 1 })
        handler.publish(FakeControlHandler.alert(id: 50, time: FakeControlHandler.base + 500_000_000, unit: "x.service",
                                                 score: 0.9, label: .abnormal, message: "boom"))
        try await client.value
        // The server notices at its next write and lets the stream go.
        for i in 0..<3 {
            handler.publish(FakeControlHandler.alert(id: 60 + UInt64(i), time: FakeControlHandler.base + 600_000_000, unit: "x.service",
                                                     score: 0.9, label: .abnormal, message: "boom"))
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await TestServer.eventually { handler.followerCount == 0 && s.server.activeConnections == 0 })
        try await onThread { _ = try s.client().call("io.rationd.GetStatus") }
    }

    @Test func hundredConcurrentClients() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<100 {
                group.addTask {
                    try await onThread {
                        let c = try s.client()
                        var ok = 0
                        for _ in 0..<3 {
                            let status = try c.call("io.rationd.GetStatus")
                            if status.object?["version"] == .string("0.1.0-test") { ok += 1 }
                            let alerts = try c.call("io.rationd.ListAlerts", parameters: .object(["limit": .integer(Int64(1 + i % 3))]))
                            if case .array(let a)? = alerts.object?["alerts"], a.count == 1 + i % 3 { ok += 1 }
                        }
                        return ok
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 100 * 6)
        #expect(await TestServer.eventually { s.server.activeConnections == 0 })
        try await onThread { _ = try s.client().call("org.varlink.service.GetInfo") }
    }

    @Test func connectionsBeyondTheLimitAreRefused() async throws {
        let s = try await TestServer.start { $0.maxConnections = 2 }
        defer { s.stopNow() }
        try await onThread {
            let a = try s.client(), b = try s.client()
            _ = try a.call("io.rationd.GetStatus")
            _ = try b.call("io.rationd.GetStatus")
            let c = try s.client()
            try expect(try c.receive().error == "io.rationd.TooManyConnections", "third refused")
        }
        #expect(await TestServer.eventually { s.server.activeConnections == 0 })
    }

    @Test func socketModeAndStaleSocketReplacement() async throws {
        let s = try await TestServer.start()
        let attributes = try FileManager.default.attributesOfItem(atPath: s.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        // A second server on a live socket is refused.
        do {
            _ = try await ControlServer.bind(configuration: ControlServerConfiguration(socketPath: s.socketPath, version: "x"),
                                             handler: FakeControlHandler())
            Issue.record("bound over a live server")
        } catch let error as ControlServerError {
            #expect(error.message.contains("already listening"))
        }
        // After the first stops, a stale socket file is replaced.
        s.task.cancel()
        _ = try? await s.task.value
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(s.socketPath.utf8) + [0]) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: s.socketPath))
        let again = try await ControlServer.bind(configuration: ControlServerConfiguration(socketPath: s.socketPath, version: "x"),
                                                 handler: FakeControlHandler())
        let task = Task { try await again.serve() }
        try await onThread { _ = try VarlinkClient(socketPath: s.socketPath).call("org.varlink.service.GetInfo") }
        task.cancel()
        _ = try? await task.value
        #expect(!FileManager.default.fileExists(atPath: s.socketPath))
        try? FileManager.default.removeItem(atPath: s.directory)
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

func expect(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    if !condition { throw Failure("expectation failed: \(what())") }
}

func expectError(_ body: @autoclosure () throws -> JSONValue, _ name: String, _ parameters: [String: JSONValue]?) throws {
    do {
        let value = try body()
        throw Failure("expected \(name), got \(value)")
    } catch VarlinkClientError.remote(let error) {
        try expect(error.name == name, "expected \(name), got \(error)")
        if let parameters { try expect(error.parameters == .object(parameters), "parameters of \(error)") }
    }
}
