import Foundation
import ProcessTestSupport
import Testing

/// `rationd --check-config` runs every check `rationd run` makes before it starts: a file it
/// passes does not fail at start for its content, and a file start rejects, it rejects too,
/// naming the same setting.
@Suite struct CheckConfigParityTests {
    struct Run {
        var status: Int32
        var output: String
    }

    static func rationd(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("rationd"))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["CREDENTIALS_DIRECTORY"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-parity-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A file the TOML reader accepts but the daemon's start rejects, per start-up check (the
    /// setting it names).
    static func startFailures(_ dir: String) -> [(key: String, toml: String)] {
        [
            ("sessionizer.journal_key_field", "[sources.journal]\ndirectory = \"\(dir)/journal\"\n[sessionizer]\njournal_key_field = \"_HOSTNAME\"\n"),
            ("reasoning", "[sources.journal]\nenabled = false\n[reasoning]\napi_key_file = \"\(dir)/missing-key\"\n"),
            ("reasoning", "[sources.journal]\nenabled = false\n[reasoning]\nfew_shot_file = \"\(dir)/missing.jsonl\"\n"),
        ]
    }

    /// Start-up checks the TOML reader already stops, with a file that shows it.
    static let rejectedByTheReader: [String: String] = [
        "miner": "[miner]\ndepth = 2\n",
        "triage": "[triage]\nrare_fraction = 2.0\n",
        "sources.journal": "[sources.journal]\ndirectory = \"relative\"\n",
        "sources.files": "[[sources.files]]\npath = \"relative.log\"\n",
        "sources.files.session_key_pattern": "[[sources.files]]\npath = \"/x.log\"\nsession_key_pattern = \"a(b\"\n",
    ]

    /// Every setting the start-up code can reject (`throw .configuration(key: ...)` in the
    /// settings and preflight sources), with interpolated source names dropped.
    static func startupCheckKeys() throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var keys: Set<String> = []
        for file in ["Sources/Pipeline/PipelineSettings.swift", "Sources/Pipeline/PipelineSettings+Preflight.swift"] {
            let text = try String(contentsOfFile: root.appendingPathComponent(file).path, encoding: .utf8)
            for part in text.components(separatedBy: "throw .configuration(key: \"").dropFirst() {
                guard let end = part.firstIndex(of: "\"") else { continue }
                let key = part[..<end].replacingOccurrences(of: " \\(f.name)", with: "")
                keys.insert(key)
            }
        }
        return keys
    }

    @Test func everyStartupCheckIsReachableFromCheckConfig() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = try Self.startupCheckKeys()
        #expect(keys.count >= 6)
        let covered = Set(Self.startFailures(dir).map(\.key)).union(Self.rejectedByTheReader.keys)
        #expect(keys.subtracting(covered).isEmpty, "start-up checks without a case here: \(keys.subtracting(covered).sorted())")
        for (key, toml) in Self.rejectedByTheReader.sorted(by: { $0.key < $1.key }) {
            try toml.write(toFile: dir + "/reader.toml", atomically: true, encoding: .utf8)
            let check = try Self.rationd(["--check-config", "--config", dir + "/reader.toml"])
            #expect(check.status == 1, "\(key): \(check.output)")
            #expect(check.output.contains(".toml:"), "\(key): the reader names file and line: \(check.output)")
        }
    }

    @Test func whatStartRejectsCheckConfigRejectsNamingTheSameSetting() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (index, failure) in Self.startFailures(dir).enumerated() {
            let path = "\(dir)/case\(index).toml"
            let toml = "[daemon]\nstate_directory = \"\(dir)/state\(index)\"\n[control]\nsocket = \"\(dir)/io\(index)\"\n" + failure.toml
            try toml.write(toFile: path, atomically: true, encoding: .utf8)
            let check = try Self.rationd(["--check-config", "--config", path])
            #expect(check.status == 1, "\(failure.key): --check-config passed: \(check.output)")
            #expect(check.output.contains("configuration \(failure.key)"), "\(check.output)")
            let run = try Self.rationd(["run", "--config", path])
            #expect(run.status != 0, "\(failure.key): run started")
            #expect(run.output.contains("configuration \(failure.key)"), "\(run.output)")
        }
    }

    @Test func anEmptyKeyFileIsNoKeyWithANotice() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/llm-api-key", contents: Data())
        let path = dir + "/rationd.toml"
        try "[sources.journal]\nenabled = false\n[reasoning]\napi_key_file = \"\(dir)/llm-api-key\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let check = try Self.rationd(["--check-config", "--config", path])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("notice: \(dir)/llm-api-key is empty"), "\(check.output)")
        #expect(check.output.contains("\(path): valid"))
    }
}
