import Foundation
import ProcessTestSupport
import Testing

/// The offline commands' conventions: `--json` (old spellings kept), progress on stderr for
/// large inputs, control characters from logs escaped in text output.
@Suite struct OfflineCommandTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func rationlab(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("rationlab"))
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while the process runs (a large stdout would block it otherwise).
        nonisolated(unsafe) var errData = Data()
        // The semaphore orders the reader's write before the read below (polling isFinished does not).
        let errRead = DispatchSemaphore(value: 0)
        let reader = Thread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            errRead.signal()
        }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errRead.wait()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func file(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-offline-\(UUID().uuidString.prefix(8))-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func jsonAndTheFormerSpellingGiveTheSameOutput() throws {
        let path = try Self.file("small.log", "user alice logged in\nuser bob logged in\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try Self.rationlab(["parse", "--json", path])
        let old = try Self.rationlab(["parse", "--output", "jsonl", path])
        #expect(json.status == 0 && old.status == 0)
        #expect(json.stdout == old.stdout)
        #expect(json.stdout.hasPrefix("{\"line\":1,"))
        #expect(json.stderr.isEmpty, "no progress for a small file: \(json.stderr)")
    }

    @Test func largeInputsReportProgressOnStderr() throws {
        let line = "block blk_1 served to 10.0.0.1 in 12 ms\n"
        let path = try Self.file("large.log", String(repeating: line, count: (9 << 20) / line.utf8.count))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.rationlab(["parse", "--summary", path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("\(path)  100%"), "\(result.stderr)")
        #expect(!result.stdout.contains("%  "), "progress stays off stdout")
    }

    @Test func summaryEscapesControlCharactersOfTheLog() throws {
        // The tokenizer splits on C0 controls; a C1 control (CSI, U+009B) stays inside a word.
        let path = try Self.file("escape.log", "login \u{9B}cleared failed\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Self.rationlab(["parse", "--summary", path])
        #expect(result.stdout.contains("login \\u{9B}cleared failed"), "\(result.stdout)")
        #expect(!result.stdout.contains("\u{9B}"))
    }
}
