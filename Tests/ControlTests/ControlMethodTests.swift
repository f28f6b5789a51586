import Control
import Foundation
import RationCore
import Testing

/// The io.rationd methods over a real socket: filters, follow, labels, reload, permissions.
@Suite(.serialized) struct ControlMethodTests {
    func list(_ c: VarlinkClient, _ query: AlertQuery) throws -> [UInt64] {
        struct Reply: Decodable { var alerts: [AlertRecord] }
        return try c.call("io.rationd.ListAlerts", query, as: Reply.self).alerts.map(\.id)
    }

    @Test func listAlertsFilters() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let base = FakeControlHandler.base
            try expect(try list(c, AlertQuery()) == [3, 2, 1], "newest first")
            try expect(try list(c, AlertQuery(limit: 2)) == [3, 2], "limit")
            try expect(try list(c, AlertQuery(since: base + 60_000_000)) == [3, 2], "since")
            try expect(try list(c, AlertQuery(until: base + 60_000_000)) == [2, 1], "until")
            try expect(try list(c, AlertQuery(unit: "nginx.service")) == [1], "unit")
            try expect(try list(c, AlertQuery(source: "files.var-log")) == [3], "source")
            try expect(try list(c, AlertQuery(verdict: "abnormal")) == [1], "verdict abnormal")
            try expect(try list(c, AlertQuery(verdict: "skipped")) == [3], "verdict skipped")
            try expect(try list(c, AlertQuery(verdict: "unknown")) == [3], "verdict unknown")
            try expect(try list(c, AlertQuery(minScore: 0.69)) == [3, 1], "min score")
            try expect(try list(c, AlertQuery(text: "PUBLICKEY")) == [2], "text, case-insensitive")
            try expect(try list(c, AlertQuery(text: "template <*> of kernel")) == [3], "text matches templates")
            try expect(try list(c, AlertQuery(label: "none")) == [3, 2, 1], "no operator labels yet")
        }
    }

    @Test func alertRecordCarriesWindowScoresAndVerdict() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            struct Reply: Decodable { var alert: AlertRecord }
            let a = try s.client().call("io.rationd.GetAlert", GetAlertParameters(id: 1), as: Reply.self).alert
            try expect(a.windowStart == FakeControlHandler.base && a.windowEnd == FakeControlHandler.base + 2_000_000, "window")
            try expect(a.eventCount == 17 && a.events.first?.message == "upstream timed out", "events")
            try expect(a.score == 0.7 && a.reasons.map(\.kind) == ["newTemplate", "burst"], "scores")
            try expect(a.verdict.label == "abnormal" && a.verdict.status == "verified" && a.verdict.latencyMs == 850, "verdict")
            try expect(a.templates.map(\.id) == [10] && a.templates.first?.text == "template <*> of nginx.service", "templates")
            let skipped = try s.client().call("io.rationd.GetAlert", GetAlertParameters(id: 3), as: Reply.self).alert
            try expect(skipped.verdict.status == "skipped" && skipped.verdict.reason == "budget exhausted", "skipped reason")
        }
    }

    @Test func followSendsCurrentThenMatchingNewAlerts() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let handler = s.handler
        let received = Task {
            try await onThread { () -> [[UInt64]] in
                let c = try s.client()
                var batches: [[UInt64]] = []
                try c.stream("io.rationd.ListAlerts", parameters: .object(["unit": .string("db.service")])) { reply in
                    struct Reply: Decodable { var alerts: [AlertRecord] }
                    batches.append(try VarlinkJSON.decode(Reply.self, from: reply).alerts.map(\.id))
                    return batches.count < 3
                }
                return batches
            }
        }
        #expect(await TestServer.eventually { handler.followerCount == 1 })
        let t = FakeControlHandler.base + 1_000_000_000
        handler.publish(FakeControlHandler.alert(id: 7, time: t, unit: "other.service", score: 0.9, label: .abnormal, message: "x"))
        handler.publish(FakeControlHandler.alert(id: 8, time: t, unit: "db.service", score: 0.9, label: .abnormal, message: "y"))
        handler.publish(FakeControlHandler.alert(id: 9, time: t, unit: "db.service", score: 0.9, label: .normal, message: "z"))
        #expect(try await received.value == [[], [8], [9]])
    }

    @Test(.enabled(if: getuid() == 0, "needs root (the default privileged users are root and the server's user)"))
    func labelsAndReloadAsRoot() async throws {
        let s = try await TestServer.start { $0.privilegedUID = 4242 }
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            struct AlertReply: Decodable { var alert: AlertRecord }
            let labelled = try c.call("io.rationd.LabelAlert", LabelParameters(id: 2, label: "abnormal", note: "brute force"), as: AlertReply.self)
            try expect(labelled.alert.operatorLabel?.label == "abnormal" && labelled.alert.operatorLabel?.note == "brute force", "label")
            try expect(labelled.alert.effectiveLabel == "abnormal", "operator wins")
            try expect(try list(c, AlertQuery(label: "abnormal")) == [2], "label filter")
            try expect(try list(c, AlertQuery(verdict: "abnormal")) == [2, 1], "verdict uses the operator label")
            struct TemplateReply: Decodable { var template: TemplateRecord }
            let t = try c.call("io.rationd.LabelTemplate", LabelParameters(id: 30, label: "normal"), as: TemplateReply.self)
            try expect(t.template.operatorLabel?.label == "normal", "template label")
            try expectError(try c.call("io.rationd.LabelTemplate", parameters: .object(["id": .integer(31), "label": .string("normal")])),
                            "io.rationd.TemplateNotFound", ["id": .integer(31)])
            try expectError(try c.call("io.rationd.LabelTemplate", parameters: .object(["id": .integer(40), "label": .string("normal")])),
                            "io.rationd.LabelTooBroad", nil)
            struct ChangesReply: Decodable { var template: TemplateRecord; var changes: [LabelChange] }
            let forced = try c.call("io.rationd.LabelTemplate", LabelParameters(id: 40, label: "normal", force: true), as: ChangesReply.self)
            try expect(forced.changes.map(\.template) == ["<*>"] && forced.changes.first?.match == "pattern", "forced label")
            struct ReloadReply: Decodable { var changes: [String] }
            try expect(try c.call("io.rationd.Reload", NoParameters(), as: ReloadReply.self).changes == ["reasoning.maxCallsPerMinute: 30 -> 5"], "reload")
        }
        #expect(s.handler.reloads == 1)
        s.handler.state.withLockedValue { $0.reloadError = "rationd.toml:3: miner.dept: unknown key" }
        try await onThread {
            try expectError(try s.client().call("io.rationd.Reload"), "io.rationd.ReloadFailed",
                            ["reason": .string("rationd.toml:3: miner.dept: unknown key")])
        }
    }

    /// A real peer with another uid (nobody) may read but not mutate.
    static let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first(where: FileManager.default.isExecutableFile)

    @Test(.enabled(if: getuid() == 0 && runuser != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
                   "needs root, runuser and python3"))
    func mutatingCallsCheckPeerCredentials() async throws {
        let runuser = try #require(Self.runuser)
        let s = try await TestServer.start { $0.mode = 0o666 }
        defer { s.stopNow() }
        chmod(s.directory, 0o755)
        @Sendable func callAsNobody(_ method: String) throws -> String {
            let script = """
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(json.dumps({"method": sys.argv[2]}).encode() + b"\\0")
            buf = b""
            while not buf.endswith(b"\\0"):
                chunk = s.recv(65536)
                if not chunk: break
                buf += chunk
            print(buf.rstrip(b"\\0").decode())
            """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: runuser)
            p.arguments = ["-u", "nobody", "--", "/usr/bin/python3", "-c", script, s.socketPath, method]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let reload = try await onThread { try callAsNobody("io.rationd.Reload") }
        #expect(reload.contains("org.varlink.service.PermissionDenied"))
        let status = try await onThread { try callAsNobody("io.rationd.GetStatus") }
        #expect(status.contains("\"version\":\"0.1.0-test\""))
        #expect(s.handler.reloads == 0)
    }
}
