import Testing
@testable import Ingest

@Suite struct LineSplitterTests {
    private func split(_ chunks: [[UInt8]], max: Int = 1 << 20) -> ([LineSplitter.Line], LineSplitter) {
        var splitter = LineSplitter(maxLineBytes: max)
        var lines: [LineSplitter.Line] = []
        for chunk in chunks { splitter.feed(chunk) { lines.append($0) } }
        return (lines, splitter)
    }

    @Test func splitsOnNewlineStripsCRAndHoldsPartial() {
        let (lines, splitter) = split([Array("one\r\ntwo\nthr".utf8), Array("ee\n\nfour".utf8)])
        #expect(lines.map(\.bytes) == ["one", "two", "three", ""].map { Array($0.utf8) })
        #expect(lines.map(\.endOffset) == [5, 9, 15, 16])
        #expect(lines.allSatisfy { !$0.truncated })
        #expect(splitter.pendingBytes == 4)
        #expect(splitter.pendingStart == 16)
        var s = splitter
        #expect(s.flush() == LineSplitter.Line(bytes: Array("four".utf8), endOffset: 20, truncated: false))
        #expect(s.flush() == nil)
    }

    @Test func crSplitAcrossChunksIsStripped() {
        let (lines, _) = split([Array("a\r".utf8), Array("\nb\n".utf8)])
        #expect(lines.map(\.bytes) == [Array("a".utf8), Array("b".utf8)])
    }

    @Test func longLinesAreCutAndFlaggedLosslessly() {
        let line = (0..<1000).map { UInt8(97 + $0 % 26) }
        // Fed in uneven chunks so pieces cross chunk boundaries.
        let stream = line + [0x0A] + Array("short\n".utf8)
        let chunks = stride(from: 0, to: stream.count, by: 77).map { Array(stream[$0..<min($0 + 77, stream.count)]) }
        let (lines, _) = split(chunks, max: 300)
        #expect(lines.count == 5)
        #expect(lines.prefix(4).allSatisfy { $0.truncated })
        #expect(lines[0..<4].map(\.bytes.count) == [300, 300, 300, 100])
        #expect(Array(lines[0..<4].map(\.bytes).joined()) == line)
        #expect(lines[0..<4].map(\.endOffset) == [300, 600, 900, 1001])
        #expect(lines[4] == LineSplitter.Line(bytes: Array("short".utf8), endOffset: 1007, truncated: false))
    }

    @Test func invalidUTF8AndNULBytesAreKept() {
        let junk: [UInt8] = [0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0A, 0x80, 0x0A]
        let (lines, _) = split([junk])
        #expect(lines.map(\.bytes) == [[0xff, 0xfe, 0x00, 0xc3, 0x28], [0x80]])
    }

    @Test func startsAtAGivenOffset() {
        var splitter = LineSplitter(maxLineBytes: 100, startingAt: 1000)
        var ends: [UInt64] = []
        splitter.feed(Array("x\ny\n".utf8)) { ends.append($0.endOffset) }
        #expect(ends == [1002, 1004])
    }
}

@Suite struct MultilineMergerTests {
    private func line(_ s: String, _ end: UInt64, truncated: Bool = false) -> LineSplitter.Line {
        LineSplitter.Line(bytes: Array(s.utf8), endOffset: end, truncated: truncated)
    }

    @Test func mergesContinuationLinesUntilTheNextStart() throws {
        var merger = try MultilineMerger(.init(startPattern: "^[0-9]{4}-", maxLines: 10, timeout: .seconds(1)))
        var out: [LineSplitter.Line] = []
        merger.push(line("2024-01-01 boom", 16), now: 0) { out.append($0) }
        merger.push(line("  at a()", 25), now: 1) { out.append($0) }
        merger.push(line("  at b()", 34, truncated: true), now: 2) { out.append($0) }
        #expect(out.isEmpty)
        merger.push(line("2024-01-01 next", 50), now: 3) { out.append($0) }
        #expect(out == [LineSplitter.Line(bytes: Array("2024-01-01 boom\n  at a()\n  at b()".utf8), endOffset: 34, truncated: true)])
        #expect(merger.flush(now: 3 + 999_999_999) == nil)
        #expect(merger.flush(now: 3 + 1_000_000_000) == line("2024-01-01 next", 50))
        #expect(!merger.isHolding)
    }

    @Test func maxLinesStartsANewRecord() throws {
        var merger = try MultilineMerger(.init(startPattern: "^START", maxLines: 2, timeout: .seconds(1)))
        var out: [String] = []
        for (i, s) in ["START", "a", "b", "c"].enumerated() {
            merger.push(line(s, UInt64(i)), now: 0) { out.append(String(decoding: $0.bytes, as: UTF8.self)) }
        }
        #expect(out == ["START\na"])
        #expect(merger.flush().map { String(decoding: $0.bytes, as: UTF8.self) } == "b\nc")
    }

    @Test func invalidPatternIsRejectedWithItsKey() {
        do {
            _ = try MultilineMerger(.init(startPattern: "([a-"), key: "sources.app.multiline.start_pattern")
            Issue.record("an invalid pattern was accepted")
        } catch {
            #expect("\(error)".contains("sources.app.multiline.start_pattern"))
        }
    }
}
