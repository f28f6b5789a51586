import Foundation
import Testing
import RationCore
@testable import Ingest

/// How FileSource lays out its records: messages sliced from the read buffer, fields shared
/// per file, and neither disturbed by the reads that follow.
@Suite struct FileRecordLayoutTests {
    /// A batch kept while the source goes on reading (each read into a buffer of its own)
    /// still holds its lines; lines completed across reads (held by the splitter) are right.
    @Test func keptBatchSurvivesLaterReads() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        // Lines of varying length, so reads end mid-line and the splitter holds partial lines.
        let text = (0..<5000).map { "line \($0) " + String(repeating: "x", count: $0 % 97) + "\n" }
        writeFile(log, text.joined())
        let source = try FileSource(configuration: .test([log]))
        var kept: [[LogRecord]] = []
        var count = 0
        let start = ContinuousClock.now
        while count < text.count && ContinuousClock.now - start < .seconds(10) {
            let batch = try source.nextBatch(maxRecords: 300, timeout: .milliseconds(50))
            count += batch.count
            if !batch.isEmpty { kept.append(batch) }
        }
        let all = kept.flatMap { $0 }
        #expect(all.count == text.count)
        #expect(all.map { $0.displayMessage + "\n" } == text)
        #expect(all.allSatisfy { $0.fields.sharesStorage(with: all[0].fields) && $0.fields.path == log })
        // Several lines of one read share its buffer: consecutive slices are adjacent in memory.
        let adjacent = zip(all, all.dropFirst()).filter { a, b in
            a.message.withUnsafeBytes { pa in
                b.message.withUnsafeBytes { pb in pa.baseAddress.map { $0 + pa.count + 1 } == pb.baseAddress }
            }
        }.count
        #expect(adjacent > all.count / 2)
    }

    /// Invalid UTF-8 and CR/LF handling survive slicing; `messageBytes` gives the exact bytes.
    @Test func bytesAreExactForSlicedMessages() throws {
        let dir = TestDirectory()
        let log = dir.file("bin.log")
        let lines: [[UInt8]] = [[0xFF, 0xFE, 0x41], [0x42, 0x0D], [], [0xC3, 0x28, 0x0D, 0x0D], Array("tail".utf8)]
        writeFile(log, lines.flatMap { $0 + [0x0A] })
        let source = try FileSource(configuration: .test([log]))
        let got = try source.collect { $0.count >= lines.count }
        #expect(got.map(\.messageBytes) == [[0xFF, 0xFE, 0x41], [0x42], [], [0xC3, 0x28, 0x0D], Array("tail".utf8)])
        #expect(got[0].displayMessage == "\u{FFFD}\u{FFFD}A")
    }

    /// Files keep their own shared fields.
    @Test func eachFileHasItsOwnFields() throws {
        let dir = TestDirectory()
        let a = dir.file("a.log"), b = dir.file("b.log")
        writeFile(a, lines("a", 0..<20))
        writeFile(b, lines("b", 0..<20))
        let source = try FileSource(configuration: .test([dir.path + "/*.log"]))
        let got = try source.collect { $0.count >= 40 }
        let fromA = got.filter { $0.fields.path == a }, fromB = got.filter { $0.fields.path == b }
        #expect(fromA.count == 20 && fromB.count == 20)
        #expect(fromA.allSatisfy { $0.fields.sharesStorage(with: fromA[0].fields) })
        #expect(!fromA[0].fields.sharesStorage(with: fromB[0].fields))
        #expect(fromB.texts == (0..<20).map { "b\($0)" })
    }
}
