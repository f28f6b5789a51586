import Control
import Foundation
import Testing

/// The real `rationctl` binary against the real server with a scripted handler.
@Suite(.serialized) struct RationctlTests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rationctl").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/rationctl").path,
        ]
        return candidates.first(where: FileManager.default.isExecutableFile) ?? candidates[1]
    }

    static func run(_ arguments: [String], socket: String?) async throws -> Result {
        try await onThread {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = arguments + (socket.map { ["--socket", $0] } ?? [])
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        }
    }

    @Test func statusTableAndJSON() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let table = try await Self.run(["status", "--socket", s.socketPath], socket: nil)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("version:   0.1.0-test"))
        #expect(table.stdout.contains("budget 23/30 per minute (demo model: verdicts not trusted)"))
        #expect(table.stdout.contains("ring: 30 protected records held, 7 alerts carried forward, 123 records removed (files.app 3, journal 120)"))
        let lines = table.stdout.components(separatedBy: "\n")
        let header = try #require(lines.first { $0.hasPrefix("SOURCE") })
        let journal = try #require(lines.first { $0.hasPrefix("journal ") })
        let files = try #require(lines.first { $0.hasPrefix("files.var-log") })
        // Aligned: every column starts at the same offset in each row.
        let checkpointColumn = try #require(header.range(of: "CHECKPOINT")).lowerBound.utf16Offset(in: header)
        #expect(try #require(journal.range(of: "s=abc;i=1")).lowerBound.utf16Offset(in: journal) == checkpointColumn)
        #expect(try #require(files.range(of: "/var/log/syslog@4096")).lowerBound.utf16Offset(in: files) == checkpointColumn)

        let json = try await Self.run(["status", "--json"], socket: s.socketPath)
        #expect(json.status == 0)
        let status = try JSONDecoder().decode(DaemonStatus.self, from: Data(json.stdout.utf8))
        #expect(status.sources.map(\.records) == [1234, 56])
        #expect(status.queues.first?.capacity == 4096)
        #expect(status.store.removedBySource == ["journal": 120, "files.app": 3])
        #expect(status.store.carriedAlerts == 7)
    }

    @Test func alertsListFiltersAndShow() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let table = try await Self.run(["alerts"], socket: s.socketPath)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.first?.hasPrefix("ID") == true)
        let scoreColumn = lines.map { $0.range(of: "SCORE")?.upperBound.utf16Offset(in: $0) ?? -1 }.first!
        for (line, score) in zip(lines.dropFirst(), ["0.95", "0.65", "0.70"]) {
            #expect(line.range(of: score)?.upperBound.utf16Offset(in: line) == scoreColumn, "score right-aligned in \(line)")
        }
        #expect(lines[1].contains("skipped") && lines[3].contains("abnormal"))
        #expect(lines[2].hasSuffix("Accepted publickey\\e[2J\\nfake line"), "\(lines[2])")
        #expect(!table.stdout.contains("\u{1B}"))

        let json = try await Self.run(["alerts", "list", "--json", "--verdict", "abnormal", "--since", "@1764000000"], socket: s.socketPath)
        #expect(json.status == 0, "\(json.stderr)")
        let alerts = try JSONDecoder().decode([AlertRecord].self, from: Data(json.stdout.utf8))
        #expect(alerts.map(\.id) == [1])
        #expect(alerts.first?.windowStart == FakeControlHandler.base)
        #expect(alerts.first?.score == 0.7)
        #expect(alerts.first?.verdict.label == "abnormal")

        let filtered = try await Self.run(["alerts", "--json", "--unit", "sshd.service", "--min-score", "0.6", "--text", "publickey"], socket: s.socketPath)
        #expect(try JSONDecoder().decode([AlertRecord].self, from: Data(filtered.stdout.utf8)).map(\.id) == [2])

        let show = try await Self.run(["alerts", "show", "1"], socket: s.socketPath)
        #expect(show.status == 0)
        #expect(show.stdout.contains("verdict:  abnormal [verified] model smollm2 verifier 1.10"))
        #expect(show.stdout.contains("newTemplate"))
        #expect(show.stdout.contains("upstream timed out"))

        let escaped = try await Self.run(["alerts", "show", "2"], socket: s.socketPath)
        #expect(escaped.stdout.contains("Accepted publickey\\e[2J\\nfake line"), "\(escaped.stdout)")
        #expect(!escaped.stdout.contains("\u{1B}"))

        let missing = try await Self.run(["alerts", "show", "999"], socket: s.socketPath)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("io.rationd.AlertNotFound"))
    }

    /// Scores are bits (unbounded), not 0..1: the help and the man page say so.
    @Test func minScoreIsDocumentedInBits() async throws {
        let help = try await Self.run(["alerts", "list", "--help"], socket: nil)
        #expect(help.status == 0, "\(help.stderr)")
        // The OPTIONS entry (the last mention), with the wrapping undone.
        let option = (help.stdout.components(separatedBy: "--min-score").last ?? "")
            .components(separatedBy: "--label").first?.split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? ""
        #expect(option.hasPrefix("<bits> "), "\(help.stdout)")
        #expect(option.contains("surprise in bits") && !option.contains("0..1"), "\(help.stdout)")
        let manPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man/rationctl.1").path
        let man = try String(contentsOfFile: manPath, encoding: .utf8)
        let entry = try #require(man.components(separatedBy: ".It Fl -min-score").dropFirst().first?.components(separatedBy: ".It").first)
        #expect(entry.hasPrefix(" Ar bits"))
        #expect(entry.contains("surprise in bits") && !entry.contains("0 to 1)"))
    }

    @Test func exitCodes() async throws {
        let none = try await Self.run(["status"], socket: "/nonexistent/io.rationd")
        #expect(none.status == 2)
        #expect(none.stderr.contains("cannot connect to /nonexistent/io.rationd"))
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let bad = try await Self.run(["alerts", "--verdict", "maybe"], socket: s.socketPath)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--verdict must be one of"))
        let badTime = try await Self.run(["alerts", "--since", "yesterday-ish"], socket: s.socketPath)
        #expect(badTime.status == 1)
        let help = try await Self.run(["--help"], socket: nil)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Exit status: 0 success, 1 error, 2 cannot connect"))
    }

    @Test func labelTemplatesAndReload() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let label = try await Self.run(["label", "alert", "2", "abnormal", "--note", "brute force"], socket: s.socketPath)
        #expect(label.status == 0, "\(label.stderr)")
        #expect(label.stdout == "alert 2 labelled abnormal\n  \"template <*> of sshd.service\": none -> abnormal (exact)\n")
        let labelled = try await Self.run(["alerts", "--json", "--label", "abnormal"], socket: s.socketPath)
        let alerts = try JSONDecoder().decode([AlertRecord].self, from: Data(labelled.stdout.utf8))
        #expect(alerts.map(\.id) == [2])
        #expect(alerts.first?.operatorLabel?.note == "brute force")

        let templates = try await Self.run(["templates", "--limit", "2"], socket: s.socketPath)
        let rows = templates.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows[1].contains("Accepted publickey for <*>") && rows[1].contains("9000"))
        let missing = try await Self.run(["label", "template", "31", "normal"], socket: s.socketPath)
        #expect(missing.status == 1)

        let reload = try await Self.run(["reload"], socket: s.socketPath)
        #expect(reload.stdout == "reloaded:\n  reasoning.maxCallsPerMinute: 30 -> 5\n")
    }

    @Test func labelPrintsEachTemplateLabelItChanged() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let alert = try await Self.run(["label", "alert", "1", "normal"], socket: s.socketPath)
        #expect(alert.status == 0, "\(alert.stderr)")
        #expect(alert.stdout == "alert 1 labelled normal\n  \"template <*> of nginx.service\": none -> normal (exact)\n")
        let template = try await Self.run(["label", "template", "30", "abnormal", "--json"], socket: s.socketPath)
        #expect(template.status == 0, "\(template.stderr)")
        let reply = try JSONDecoder().decode(LabelTemplateReply.self, from: Data(template.stdout.utf8))
        #expect(reply.template.id == 30)
        #expect(reply.changes == [LabelChange(template: "I/O error, dev <*>", oldLabel: nil, newLabel: "abnormal", match: "pattern")])
    }

    @Test func aTemplateWithTooFewLiteralWordsNeedsForce() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let refused = try await Self.run(["label", "template", "40", "normal"], socket: s.socketPath)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("io.rationd.LabelTooBroad"))
        #expect(refused.stderr.contains(#"template \"<*>\" has 0 literal word(s)"#), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(s.handler.state.withLockedValue { $0.templates.first { $0.id == 40 }?.operatorLabel } == nil)

        let forced = try await Self.run(["label", "template", "40", "normal", "--force"], socket: s.socketPath)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout == "template 40 labelled normal\n  \"<*>\": none -> normal (pattern)\n")
    }

    @Test func followPrintsNewAlertsAsJSONLines() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        let handler = s.handler
        let socketPath = s.socketPath
        // Foundation's Process is launched, read and reaped on one OS thread: it watches the
        // child from the launching thread's run loop.
        let follower = Task {
            try await onThread { () -> (String, Int32) in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: Self.binary)
                p.arguments = ["alerts", "follow", "--json", "--unit", "db.service", "--socket", socketPath]
                let outputPath = s.directory + "/follow.out"
                _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
                p.standardOutput = FileHandle(forWritingAtPath: outputPath)
                try p.run()
                var data = Data()
                let deadline = Date().addingTimeInterval(30)
                while !data.contains(UInt8(ascii: "\n")), p.isRunning, Date() < deadline {
                    Thread.sleep(forTimeInterval: 0.02)
                    data = FileManager.default.contents(atPath: outputPath) ?? Data()
                }
                // SIGKILL: Foundation spawns children with most signals blocked, SIGTERM included.
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                return (String(decoding: data, as: UTF8.self), p.terminationStatus)
            }
        }
        #expect(await TestServer.eventually { handler.followerCount == 1 })
        let t = FakeControlHandler.base + 1_000_000_000
        handler.publish(FakeControlHandler.alert(id: 7, time: t, unit: "other.service", score: 0.9, label: .abnormal, message: "x"))
        handler.publish(FakeControlHandler.alert(id: 8, time: t, unit: "db.service", score: 0.9, label: .abnormal, message: "disk full"))
        let (line, status) = try await follower.value
        #expect(status == SIGKILL)
        let first = try #require(line.split(separator: "\n").first)
        let alert = try JSONDecoder().decode(AlertRecord.self, from: Data(first.utf8))
        #expect(alert.id == 8)
        #expect(alert.events.first?.message == "disk full")
        // The server lets the stream go at its next write to the closed connection.
        handler.publish(FakeControlHandler.alert(id: 9, time: t, unit: "db.service", score: 0.9, label: .abnormal, message: "again"))
        #expect(await TestServer.eventually { s.server.activeConnections == 0 && handler.followerCount == 0 })
    }
}
