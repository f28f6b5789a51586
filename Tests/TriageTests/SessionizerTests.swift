import Foundation
import RationCore
import Testing
@testable import Triage

/// Builds records at whole seconds with synthetic template ids.
struct Feed {
    var sessionizer: Sessionizer
    var closed: [Window] = []

    init(_ configuration: SessionizerConfiguration) throws {
        sessionizer = try Sessionizer(configuration: configuration)
    }

    @discardableResult
    mutating func add(_ second: Double, _ message: String, template: UInt64 = 1, source: SourceID = "files",
                      fields: RecordFields = RecordFields()) -> [Window] {
        let record = LogRecord(time: EventTime(secondsSinceEpoch: second), source: source, message: message,
                               fields: fields)
        let out = sessionizer.add(record, templateID: TemplateID(template), templateText: "template \(template)")
        closed += out
        return out
    }
}

func blkConfiguration(idleGap: Duration? = .seconds(300), maxEvents: Int = 1_000, maxDuration: Duration? = nil,
                      maxOpenSessions: Int = 100, maxEventsKept: Int = 1_000) throws -> SessionizerConfiguration {
    SessionizerConfiguration(keying: .capture(try SessionKeyPattern("blk_-?\\d+")), idleGap: idleGap,
                             maxEvents: maxEvents, maxDuration: maxDuration, maxOpenSessions: maxOpenSessions,
                             maxEventsKept: maxEventsKept)
}

@Suite struct SessionizerTests {
    @Test func idleGapClosesOnLaterRecordAndOnAdvance() throws {
        var feed = try Feed(try blkConfiguration(idleGap: .seconds(300)))
        feed.add(0, "open blk_1")
        feed.add(10, "write blk_1", template: 2)
        feed.add(200, "open blk_2")
        #expect(feed.closed.isEmpty)
        let closed = feed.add(310, "write blk_2", template: 2)   // blk_1 idle since 10 -> 310
        #expect(closed.map(\.key) == ["blk_1"])
        #expect(closed[0].events.map(\.templateID) == [TemplateID(1), TemplateID(2)])
        #expect(closed[0].start == EventTime(secondsSinceEpoch: 0))
        #expect(closed[0].end == EventTime(secondsSinceEpoch: 10))
        #expect(feed.sessionizer.advance(to: EventTime(secondsSinceEpoch: 609)).isEmpty)
        let late = feed.sessionizer.advance(to: EventTime(secondsSinceEpoch: 610))
        #expect(late.map(\.key) == ["blk_2"])
        #expect(feed.sessionizer.statistics.closedByIdleGap == 2)
        #expect(feed.sessionizer.openSessionCount == 0)
    }

    @Test func maxEventsClosesAtTheLimit() throws {
        var feed = try Feed(try blkConfiguration(maxEvents: 3))
        for i in 0..<7 { feed.add(Double(i), "blk_9 event \(i)", template: UInt64(i)) }
        #expect(feed.closed.count == 2)
        #expect(feed.closed.allSatisfy { $0.eventCount == 3 && $0.key == "blk_9" })
        #expect(feed.closed[1].events.map(\.templateID.rawValue) == [3, 4, 5])
        let rest = feed.sessionizer.flush()
        #expect(rest.map(\.eventCount) == [1])
        #expect(feed.sessionizer.statistics.closedByMaxEvents == 2)
        #expect(feed.sessionizer.statistics.closedByFlush == 1)
    }

    @Test func maxDurationClosesOldSessions() throws {
        var feed = try Feed(try blkConfiguration(idleGap: nil, maxDuration: .seconds(60)))
        for t in stride(from: 0.0, through: 100, by: 20) { feed.add(t, "blk_5") }
        // Events at 0,20,40 form the first window; the event at 60 starts the next.
        #expect(feed.closed.map(\.eventCount) == [3])
        let byTime = feed.sessionizer.advance(to: EventTime(secondsSinceEpoch: 120))
        #expect(byTime.map(\.eventCount) == [3])
        #expect(feed.sessionizer.statistics.closedByMaxDuration == 2)
    }

    @Test func lineNamingSeveralKeysJoinsEachSession() throws {
        var feed = try Feed(try blkConfiguration())
        feed.add(0, "allocate blk_1", template: 1)
        feed.add(1, "allocate blk_-2", template: 1)
        feed.add(2, "replicate blk_1 and blk_-2 then blk_1 again", template: 7)
        let windows = feed.sessionizer.flush().sorted { $0.key < $1.key }
        #expect(windows.map(\.key) == ["blk_-2", "blk_1"])
        for window in windows {
            #expect(window.events.map(\.templateID.rawValue) == [1, 7])
            #expect(window.templates[TemplateID(7)] == "template 7")
        }
    }

    @Test func openSessionCapClosesTheOldestFirst() throws {
        var feed = try Feed(try blkConfiguration(maxOpenSessions: 2))
        feed.add(0, "blk_1")
        feed.add(1, "blk_2")
        feed.add(2, "blk_1")              // recently active, but still opened first
        let evicted = feed.add(3, "blk_3")
        #expect(evicted.map(\.key) == ["blk_1"])
        #expect(evicted[0].eventCount == 2)
        #expect(feed.sessionizer.statistics.evictedSessions == 1)
        #expect(feed.sessionizer.openSessionCount == 2)
        #expect(feed.sessionizer.flush().map(\.key) == ["blk_2", "blk_3"])
    }

    @Test func capStaysBoundedUnderManyKeys() throws {
        var feed = try Feed(try blkConfiguration(idleGap: nil, maxOpenSessions: 50))
        for i in 0..<5_000 { feed.add(Double(i), "blk_\(i) and blk_\(i / 2)") }
        #expect(feed.sessionizer.openSessionCount <= 50)
        let rest = feed.sessionizer.flush()
        let total = (feed.closed + rest).reduce(0) { $0 + $1.eventCount }
        #expect(total == 5_000 + 5_000 - 1)   // line 0 names blk_0 twice
        #expect(feed.sessionizer.statistics.evictedSessions == feed.closed.count)
    }

    @Test func unkeyedLinesAreCountedNotWindowed() throws {
        var feed = try Feed(try blkConfiguration())
        feed.add(0, "no block here")
        #expect(feed.sessionizer.flush().isEmpty)
        #expect(feed.sessionizer.statistics.unkeyedRecords == 1)
    }

    @Test func fieldKeyFallsBackToSource() throws {
        var feed = try Feed(SessionizerConfiguration(keying: .field(.unit)))
        feed.add(0, "a", fields: RecordFields(unit: "ssh.service"))
        feed.add(1, "b", source: "journal", fields: RecordFields())
        feed.add(2, "c", fields: RecordFields(unit: "ssh.service"))
        let windows = feed.sessionizer.flush()
        #expect(windows.map(\.key) == ["ssh.service", "journal"])
        #expect(windows[0].eventCount == 2)
        #expect(windows[0].events[0].unit == "ssh.service")
    }

    @Test func fixedCountWindows() throws {
        var feed = try Feed(SessionizerConfiguration(keying: .countWindow(size: 3, slide: 3)))
        for i in 0..<7 { feed.add(Double(i), "line \(i)", template: UInt64(i)) }
        let rest = feed.sessionizer.flush()
        let all = feed.closed + rest
        #expect(all.map(\.key) == ["files#0", "files#1", "files#2"])
        #expect(all.map { $0.events.map(\.templateID.rawValue) } == [[0, 1, 2], [3, 4, 5], [6]])
        #expect(all[1].start == EventTime(secondsSinceEpoch: 3))
        #expect(all[1].end == EventTime(secondsSinceEpoch: 5))
    }

    @Test func slidingCountWindows() throws {
        var feed = try Feed(SessionizerConfiguration(keying: .countWindow(size: 4, slide: 2)))
        for i in 0..<8 { feed.add(Double(i), "line \(i)", template: UInt64(i)) }
        #expect(feed.closed.map { $0.events.map(\.templateID.rawValue) } == [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]])
        var exact = feed
        #expect(exact.sessionizer.flush().isEmpty)   // every event already in a window
        feed.add(8, "line 8", template: 8)
        #expect(feed.sessionizer.flush().map { $0.events.map(\.templateID.rawValue) } == [[5, 6, 7, 8]])
    }

    @Test func countWindowsArePerSource() throws {
        var feed = try Feed(SessionizerConfiguration(keying: .countWindow(size: 2, slide: 2)))
        feed.add(0, "a", source: "one")
        feed.add(1, "b", source: "two")
        feed.add(2, "c", source: "one")
        #expect(feed.closed.map(\.key) == ["one#0"])
        #expect(feed.sessionizer.flush().map(\.key) == ["two#0"])
    }

    @Test func timeWindowsAlignAndCloseWithTime() throws {
        var feed = try Feed(SessionizerConfiguration(keying: .timeWindow(duration: .seconds(60))))
        feed.add(610, "a")
        feed.add(650, "b")
        #expect(feed.closed.isEmpty)
        let first = feed.add(670, "c")
        #expect(first.count == 1)
        #expect(first[0].start == EventTime(secondsSinceEpoch: 600))
        #expect(first[0].end == EventTime(secondsSinceEpoch: 660))
        #expect(first[0].eventCount == 2)
        let second = feed.sessionizer.advance(to: EventTime(secondsSinceEpoch: 720))
        #expect(second.map(\.eventCount) == [1])
        #expect(feed.sessionizer.statistics.closedByTime == 2)
    }

    @Test func keptEventsAndMessagesAreBounded() throws {
        var configuration = try blkConfiguration(maxEventsKept: 5)
        configuration.maxMessagesPerTemplate = 2
        configuration.maxMessageBytes = 8
        var feed = try Feed(configuration)
        for i in 0..<12 { feed.add(Double(i), "blk_1 message number \(i)", template: UInt64(i % 2)) }
        let window = try #require(feed.sessionizer.flush().first)
        #expect(window.eventCount == 12)
        #expect(window.events.count == 5)
        #expect(window.events.map(\.message) == ["blk_1 me", "blk_1 me", "blk_1 me", "blk_1 me", ""])
        #expect(feed.sessionizer.statistics.eventsElided == 7)
    }

    @Test func priorityComesFromFieldOrLevelToken() throws {
        var feed = try Feed(try blkConfiguration())
        feed.add(0, "blk_1 INFO ok")
        feed.add(1, "WARN dfs.DataNode: blk_1 slow")
        feed.add(2, "blk_1 plain", fields: RecordFields(priority: .crit))
        let window = try #require(feed.sessionizer.flush().first)
        #expect(window.events.map(\.priority) == [.info, .warning, .crit])
    }

    @Test func badConfigurationIsRejectedWithTheSettingName() {
        #expect(throws: TriageError.invalidConfiguration(setting: "countWindow.slide",
                                                         reason: "must be <= size (2), got 3")) {
            try Sessionizer(configuration: SessionizerConfiguration(keying: .countWindow(size: 2, slide: 3)))
        }
        #expect(throws: TriageError.self) {
            try SessionKeyPattern("blk_(")
        }
    }
}

@Suite struct SessionKeyPatternTests {
    @Test func fastMatcherServesCommonShapes() throws {
        for pattern in ["blk_-?\\d+", "job_\\d+", "req-[0-9a-f]+", "id=\\w+", "blk_\\-?[0-9]+"] {
            #expect(try SessionKeyPattern(pattern).usesFastMatcher, "\(pattern)")
        }
        for pattern in ["(blk)_\\d+", "\\bblk_\\d+", "a.b\\d+"] {
            #expect(try !SessionKeyPattern(pattern).usesFastMatcher, "\(pattern)")
        }
    }

    @Test func fastMatcherAgreesWithRegularExpressions() throws {
        let fast = try SessionKeyPattern("blk_-?\\d+")
        let scanner = try #require(fast.prefixScanner)
        let regex = try NSRegularExpression(pattern: "blk_-?\\d+")
        var generator = SplitMix(seed: 42)
        let pieces = ["blk_", "blk_-", "-", "12", "7", " ", "x", "blk", "_", "blk_-3", "blk_blk_9"]
        for _ in 0..<2_000 {
            let text = (0..<Int(generator.next() % 8)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }
                .joined()
            var expected: [String] = []
            let ns = text as NSString
            for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let s = ns.substring(with: m.range)
                if !expected.contains(s) { expected.append(s) }
            }
            #expect(fast.keys(in: Array(text.utf8)).map(\.rawValue) == expected, "\(text)")
            var streamed: [String] = []
            fast.forEachKey(in: Array(text.utf8)) { streamed.append($0.rawValue) }
            #expect(streamed == expected, "\(text)")
            // The sessionizer's inline-literal scanner finds the same keys.
            var scanned: [String] = []
            let bytes = Array(text.utf8)
            bytes.withUnsafeBytes { m in
                scanner.forEachKeyRange(in: m) { scanned.append(String(decoding: m[$0], as: UTF8.self)) }
            }
            #expect(scanned == expected, "\(text)")
        }
    }

    @Test func inlineScannerTakesLiteralsUpToSeventeenBytes() throws {
        let long = try SessionKeyPattern("request_identifier=\\d+")
        #expect(long.usesFastMatcher && long.prefixScanner == nil)
        let hex = try #require(try SessionKeyPattern("trace=[0-9a-f]+").prefixScanner)
        var found: [String] = []
        let bytes = Array("a trace=zz trace=00ff trace=00ff trace=beef0".utf8)
        bytes.withUnsafeBytes { m in hex.forEachKeyRange(in: m) { found.append(String(decoding: m[$0], as: UTF8.self)) } }
        #expect(found == ["trace=00ff", "trace=beef0"])
    }

    @Test func fallbackUsesTheFirstCaptureGroup() throws {
        let pattern = try SessionKeyPattern("session=([A-Z]+)-\\d")
        #expect(pattern.keys(in: Array("x session=AB-1 y session=CD-2 session=AB-3".utf8)).map(\.rawValue) == ["AB", "CD"])
        #expect(pattern.keys(in: Array("nothing".utf8)).isEmpty)
    }
}

@Suite struct SeverityTokenTests {
    @Test func levelsInTheHeader() {
        func p(_ s: String) -> Priority? { SeverityTokens.priority(in: Array(s.utf8)) }
        #expect(p("081109 203518 143 INFO dfs.DataNode: x") == .info)
        #expect(p("081109 203518 143 WARN dfs.DataNode: x") == .warning)
        #expect(p("[ERROR] disk failed") == .err)
        #expect(p("ts=1 level=warn msg=x") == .warning)
        #expect(p("<2>kernel: oops") == .crit)
        #expect(p("RAS KERNEL FATAL data TLB error") == .crit)
        #expect(p("Error opening file") == nil)            // prose, not a level
        #expect(p("a b c d e f g ERROR") == nil)           // past the header
    }
}

/// Deterministic generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
