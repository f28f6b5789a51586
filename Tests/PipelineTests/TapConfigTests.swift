import Foundation
import ProcessTestSupport
import Testing

/// `rationd tap --config`: the configured file source is tapped with the template id the
/// configured miner gives each line, and a second run with the same checkpoint prints only
/// what was appended since.
@Suite struct TapConfigTests {
    struct Line: Decodable {
        var source: String
        var message: String
        var template_id: UInt64
    }

    @Test func tapsConfiguredSourcesWithTemplateIDsAndResumes() async throws {
        let dir = "/tmp/rationd-tap-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/app.log"
        try "session opened for user alice took 5 ms\nsession opened for user bob took 7 ms\ndisk sda failed with I/O error\n"
            .write(toFile: log, atomically: true, encoding: .utf8)
        let config = dir + "/rationd.toml"
        try """
        [daemon]
        state_directory = "\(dir)/state"
        [sources.journal]
        enabled = false
        [[sources.files]]
        name = "app"
        path = "\(log)"
        start_at = "beginning"
        """.write(toFile: config, atomically: true, encoding: .utf8)

        func tap() async throws -> [Line] {
            let out = dir + "/tap.out"
            let child = try ChildProcess(Binaries.path("rationd"),
                                         ["tap", "--config", config, "--checkpoint", dir + "/tap.json",
                                          "--format", "jsonl", "--exit-when-idle", "1"], outputPath: out)
            #expect(try await child.wait(seconds: 30) == 0, "\(child.output)")
            return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map {
                try JSONDecoder().decode(Line.self, from: Data($0.utf8))
            }
        }

        let first = try await tap()
        #expect(first.map(\.message) == ["session opened for user alice took 5 ms", "session opened for user bob took 7 ms",
                                         "disk sda failed with I/O error"])
        #expect(first.allSatisfy { $0.source == "files.app" })
        #expect(first[0].template_id == first[1].template_id)
        #expect(first[0].template_id != first[2].template_id)
        #expect(FileManager.default.fileExists(atPath: dir + "/tap.json.files.app"))

        let handle = try #require(FileHandle(forWritingAtPath: log))
        handle.seekToEndOfFile()
        handle.write(Data("session opened for user carol took 9 ms\n".utf8))
        try handle.close()
        let second = try await tap()
        #expect(second.map(\.message) == ["session opened for user carol took 9 ms"])
    }

    @Test func anUnknownSourceNamesTheConfiguredOnes() async throws {
        let dir = "/tmp/rationd-tap-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/rationd.toml"
        try """
        [sources.journal]
        enabled = false
        [[sources.files]]
        name = "app"
        path = "\(dir)/*.log"
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let child = try ChildProcess(Binaries.path("rationd"), ["tap", "--config", config, "--source", "nope"],
                                     outputPath: dir + "/out")
        #expect(try await child.wait(seconds: 30) == 1)
        #expect(child.output.contains("--source nope: no such source in the configuration (it has: files.app)"))
    }
}
