import Foundation
#if canImport(FoundationNetworking)
// Data(contentsOf:) of an http:// URL (the scripted server's /stats) needs it; the daemon does not link it.
import FoundationNetworking
#endif
import RationCore
@testable import Reasoning

enum Paths {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "reasoning-tests-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A child process that prints one line announcing where it listens; killed on `stop`.
/// posix_spawn + waitpid rather than Foundation's Process, whose waitUntilExit can hang on Linux.
final class ChildServer: @unchecked Sendable {
    // @unchecked: `pid` and `firstLine` are set once in init; `stop` is idempotent under `lock`.
    let pid: pid_t
    let firstLine: String
    private let output: Int32
    private let lock = NSLock()
    private var stopped = false

    /// Starts `executable arguments` in its own process group, waits up to `timeout` for a
    /// stdout line starting with `prefix`.
    init(executable: String, arguments: [String], prefix: String, timeout: Duration) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildServerError(message: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        // The test runner's threads block signals; the child must not inherit that mask,
        // or SIGTERM would never reach it.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attributes)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw ChildServerError(message: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        // Kept open for the child's life: a closed pipe would kill it with SIGPIPE on its next write.
        output = fds[0]
        let deadline = ContinuousClock.now + timeout
        var buffer: [UInt8] = []
        var found: String?
        var chunk = [UInt8](repeating: 0, count: 4096)
        while found == nil {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var poller = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { break }
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) }
            guard n > 0 else { break }
            buffer += chunk[0..<n]
            found = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
        }
        guard let found else {
            let printed = String(decoding: buffer, as: UTF8.self)
            kill(-child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
            close(fds[0])
            throw ChildServerError(message: "\(executable) did not print \"\(prefix)…\" in time: \(printed)")
        }
        firstLine = found
    }

    /// SIGTERM to the process group, SIGKILL after 5 s, then reap.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        defer { close(output) }
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<500 {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    deinit { stop() }
}

struct ChildServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The scripted fault server (Fixtures/scripted_llm_server.py).
final class ScriptedServer: Sendable {
    let child: ChildServer
    let port: Int

    init() throws {
        child = try ChildServer(executable: "/usr/bin/env", arguments: ["python3", Paths.fixtures + "/scripted_llm_server.py"],
                                prefix: "port ", timeout: .seconds(20))
        port = Int(child.firstLine.dropFirst("port ".count))!
    }

    func endpoint(_ mode: String) -> ReasoningConfiguration.Endpoint {
        .init(baseURL: "http://127.0.0.1:\(port)/\(mode)/v1", model: "scripted")
    }

    /// Requests the server received per mode.
    func counts() throws -> [String: Int] {
        let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/stats")!)
        return try JSONDecoder().decode([String: Int].self, from: data)
    }

    func count(_ mode: String) throws -> Int { try counts()[mode] ?? 0 }

    /// The chat messages of every `obey` and `quoteinjection` request, in order.
    func recordedMessages() throws -> [[ChatMessage]] {
        struct Body: Decodable { var messages: [ChatMessage] }
        let data = try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/requests")!)
        return try JSONDecoder().decode([Body].self, from: data).map(\.messages)
    }

    func stop() { child.stop() }
}

enum Sample {
    /// A window with one event per (templateText, message) pair; ids by first appearance.
    static func window(_ lines: [(template: String, message: String)], key: String = "w") -> Window {
        var ids: [String: TemplateID] = [:]
        var templates: [TemplateID: String] = [:]
        var events: [WindowEvent] = []
        for (offset, line) in lines.enumerated() {
            let id = ids[line.template] ?? TemplateID(UInt64(ids.count + 1))
            ids[line.template] = id
            templates[id] = line.template
            events.append(WindowEvent(time: EventTime(microsecondsSinceEpoch: Int64(offset) * 1000), templateID: id, message: line.message))
        }
        return Window(key: SessionKey(key), source: SourceID("test"), start: events.first!.time, end: events.last!.time,
                      events: events, templates: templates)
    }

    static func window(template: String, key: String = "w") -> Window {
        window([(template, template.replacingAll("<*>", with: "42"))], key: key)
    }

    static let suspicion = Suspicion(score: 5, reasons: [SuspicionReason(kind: .newTemplate, score: 5, detail: "first seen")],
                                     escalated: true)

    static func configuration(_ endpoints: [ReasoningConfiguration.Endpoint], timeout: Duration = .seconds(5),
                              maxConcurrent: Int = 2, callsPerMinute: Int = 1000, queueCapacity: Int = 16,
                              breaker: CircuitBreaker.Configuration = .init(failureThreshold: 3, baseBackoff: .seconds(60)),
                              cachePath: String? = nil) -> ReasoningConfiguration {
        ReasoningConfiguration(endpoints: endpoints, maxTokens: 64, requestTimeout: timeout, maxConcurrent: maxConcurrent,
                               callsPerMinute: callsPerMinute, queueCapacity: queueCapacity, circuitBreaker: breaker,
                               cachePath: cachePath, rejudgeSkipped: false)
    }
}

enum PromptText {
    /// The first line of the last fenced block of `content` (the template of a template
    /// prompt), or its last line when it has no fence.
    static func subject(_ content: String) -> String {
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let open = lines.lastIndex(of: LogTextFence.open), open + 1 < lines.count { return lines[open + 1] }
        return lines.last ?? ""
    }

    /// The lines of every fenced block of `content`; the rest of it is dropped.
    static func fencedLines(_ content: String) -> [String] {
        var inside = false
        var result: [String] = []
        for line in content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == LogTextFence.open { inside = true } else if line == LogTextFence.close { inside = false } else if inside {
                result.append(line)
            }
        }
        return result
    }

    /// `content` without its fenced blocks: what the prompt says outside the data.
    static func unfenced(_ content: String) -> String {
        var inside = false
        var result: [String] = []
        for line in content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == LogTextFence.open { inside = true } else if line == LogTextFence.close { inside = false } else if !inside {
                result.append(line)
            }
        }
        return result.joined(separator: "\n")
    }
}
