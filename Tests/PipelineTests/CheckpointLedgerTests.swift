import Configuration
import Ingest
import RationCore
import TemplateMiner
import Testing
import Triage
@testable import Pipeline

/// The commit rule: a checkpoint becomes safe only once every window holding a record up to it
/// is closed and no longer waiting for a verdict (the real miner, sessionizer and triage).
@Suite struct CheckpointLedgerTests {
    static let source: SourceID = "files.app"

    static func record(_ message: String, at seconds: Double, offset: UInt64) -> LogRecord {
        let position = FilePosition(path: "/var/log/app.log", device: 1, inode: 2, headFingerprint: 3, fingerprintLength: 64,
                                    offset: offset, tailHash: 4, tailHashLength: 64)
        return LogRecord(time: EventTime(secondsSinceEpoch: 1_800_000_000 + seconds), source: source, message: message,
                         checkpoint: Checkpoint(source: source, position: .file(position)))
    }

    static func stage(_ keying: SessionizerConfiguration.Keying, idleGap: Duration = .seconds(10),
                      maxDuration: Duration = .seconds(60)) throws -> AnalysisStage {
        var stage = AnalysisStage(miner: TemplateMiner(), triage: try Triage(configuration: TriageConfiguration(warmupWindows: 0)))
        try stage.addLane(source, sessionizer: SessionizerConfiguration(keying: keying, idleGap: idleGap, maxDuration: maxDuration),
                          windowedPriority: nil, restored: [:])
        return stage
    }

    /// The offsets of the safe checkpoints that changed (nil: none changed).
    static func committed(_ stage: inout AnalysisStage) -> [UInt64]? {
        stage.settle()
        guard let streams = stage.takeCheckpoints()[source] else { return nil }
        return streams.values.compactMap { if case let .file(p) = $0.position { p.offset } else { nil } }
    }

    @Test func keyedWindowHoldsItsCheckpointUntilItCloses() throws {
        var stage = try Self.stage(.capture(try SessionKeyPattern(#"(req\d+)"#)))
        _ = stage.ingest([Self.record("start req1", at: 0, offset: 10), Self.record("step req1", at: 1, offset: 20)], from: Self.source)
        _ = stage.ingest([Self.record("end req1", at: 2, offset: 30)], from: Self.source)
        #expect(Self.committed(&stage) == nil, "req1 is still open")
        _ = stage.advance(Self.source, to: EventTime(secondsSinceEpoch: 1_800_000_000 + 20))
        #expect(stage.windowsClosed == 1)
        #expect(Self.committed(&stage) == [30])
        #expect(Self.committed(&stage) == nil, "nothing new")
    }

    @Test func windowWaitingForAVerdictHoldsTheCheckpoint() throws {
        var stage = try Self.stage(.capture(try SessionKeyPattern(#"(req\d+)"#)))
        _ = stage.ingest([Self.record("start req1", at: 0, offset: 10)], from: Self.source)
        _ = stage.ingest([Self.record("start req2", at: 5, offset: 20)], from: Self.source)
        // req1 closes by idleness when req2's later record arrives; req2 stays open.
        let closed = stage.ingest([Self.record("end req2", at: 12, offset: 30)], from: Self.source)
        _ = closed
        #expect(stage.windowsClosed == 1)
        let window = Window(key: "req1", source: Self.source, start: EventTime(secondsSinceEpoch: 1_800_000_000),
                            end: EventTime(secondsSinceEpoch: 1_800_000_000), events: [])
        stage.hold(ticket: 7, for: .init(window: window, suspicion: Suspicion(score: 9, reasons: [], escalated: true)))
        _ = stage.advance(Self.source, to: EventTime(secondsSinceEpoch: 1_800_000_000 + 100))
        #expect(Self.committed(&stage) == nil, "req1 waits for its verdict")
        #expect(stage.release(ticket: 7) != nil)
        #expect(Self.committed(&stage) == [30])
    }

    @Test func sessionsOlderThanMaxDurationAreClosedSoTheirRecordsCommit() throws {
        var stage = try Self.stage(.capture(try SessionKeyPattern(#"(req\d+)"#)), idleGap: .seconds(1_000), maxDuration: .seconds(5))
        _ = stage.ingest([Self.record("start req1", at: 0, offset: 10)], from: Self.source)
        _ = stage.ingest([Self.record("start req2", at: 10, offset: 20)], from: Self.source)
        // req1 (opened at 0) is closed by max duration once time reaches 10; req2 is open.
        #expect(Self.committed(&stage) == [10])
        _ = stage.ingest([Self.record("more req2", at: 12, offset: 30)], from: Self.source)
        #expect(Self.committed(&stage) == nil, "req2 opened at 10 is open until 15")
        // req2 closes at 16: every record before req3's first one is in no open window.
        _ = stage.ingest([Self.record("start req3", at: 16, offset: 40)], from: Self.source)
        #expect(Self.committed(&stage) == [30])
        _ = stage.ingest([Self.record("more req3", at: 18, offset: 50)], from: Self.source)
        #expect(Self.committed(&stage) == nil, "req3 is open")
    }

    /// Log times that stand still (every line stamped alike) give no time bound; sessions
    /// closed by the open-session cap still let the records before the oldest open one commit.
    @Test func keyedSessionsCommitWhenLogTimeStandsStill() throws {
        var stage = AnalysisStage(miner: TemplateMiner(), triage: try Triage(configuration: TriageConfiguration(warmupWindows: 0)))
        try stage.addLane(Self.source, sessionizer: SessionizerConfiguration(
            keying: .capture(try SessionKeyPattern(#"(req\d+)"#)), idleGap: .seconds(10), maxDuration: .seconds(60),
            maxOpenSessions: 3), windowedPriority: nil, restored: [:])
        for i in 1...3 {
            _ = stage.ingest([Self.record("start req\(i)", at: 0, offset: UInt64(i * 10))], from: Self.source)
        }
        #expect(Self.committed(&stage) == nil, "three sessions open")
        // req4 evicts req1: the record of req1 (offset 10) is in no open window now.
        _ = stage.ingest([Self.record("start req4", at: 0, offset: 40)], from: Self.source)
        #expect(Self.committed(&stage) == [10])
        _ = stage.ingest([Self.record("more req3", at: 0, offset: 50)], from: Self.source)
        _ = stage.ingest([Self.record("start req5", at: 0, offset: 60)], from: Self.source)
        #expect(Self.committed(&stage) == [20], "req2 evicted; req3, opened at offset 30, is still open")
    }

    @Test func countWindowsCommitThroughTheLastEmittedWindow() throws {
        var stage = try Self.stage(.countWindow(size: 3, slide: 3))
        for i in 1...4 {
            _ = stage.ingest([Self.record("line \(i)", at: Double(i), offset: UInt64(i * 10))], from: Self.source)
        }
        #expect(Self.committed(&stage) == [30])
        _ = stage.ingest([Self.record("line 5", at: 5, offset: 50)], from: Self.source)
        #expect(Self.committed(&stage) == nil)
        _ = stage.flush()
        #expect(Self.committed(&stage) == [50], "shutdown closes every window")
    }

    @Test func slidingCountWindowsKeepTheOverlapUncommitted() throws {
        var stage = try Self.stage(.countWindow(size: 4, slide: 2))
        for i in 1...4 {
            _ = stage.ingest([Self.record("line \(i)", at: Double(i), offset: UInt64(i * 10))], from: Self.source)
        }
        // Lines 3 and 4 also belong to the next window.
        #expect(Self.committed(&stage) == [20])
    }

    @Test func checkpointsSurviveInTheirStreamAfterRestore() throws {
        let restoredCheckpoint = Self.record("x", at: 0, offset: 99).checkpoint!
        var ledger = CheckpointLedger(restored: [CheckpointLedger.stream(of: restoredCheckpoint): restoredCheckpoint])
        #expect(ledger.takeDirty() == nil, "a restored position is not a new commit")
        ledger.feed([Self.record("y", at: 1, offset: 120)])
        ledger.settle(quiescent: true, closedThrough: 0, timeBound: nil, oldestPendingStart: nil)
        let dirty = ledger.takeDirty()
        let safe = try #require(dirty)
        #expect(safe.count == 1)
        if case let .file(p) = safe.values.first!.position { #expect(p.offset == 120) }
    }

    /// A forgotten stream leaves the safe checkpoints and the entries not yet retired; one fed
    /// after the forget (the key reused by a new file) is kept.
    @Test func forgottenStreamsLeaveTheSavedCheckpoints() throws {
        let other = FilePosition(path: "/var/log/app.log", device: 1, inode: 9, headFingerprint: 5, fingerprintLength: 64,
                                 offset: 7, tailHash: 6, tailHashLength: 7)
        let otherRecord = LogRecord(time: EventTime(secondsSinceEpoch: 1_800_000_000), source: Self.source, message: "o",
                                    checkpoint: Checkpoint(source: Self.source, position: .file(other)))
        var ledger = CheckpointLedger()
        ledger.feed([otherRecord, Self.record("a", at: 1, offset: 10)])
        ledger.settle(quiescent: true, closedThrough: 0, timeBound: nil, oldestPendingStart: nil)
        #expect(ledger.takeDirty()?.count == 2)
        // A pending entry of the stream, then the forget: neither survives the settle.
        ledger.feed([Self.record("b", at: 2, offset: 20)])
        ledger.forget([Self.record("b", at: 2, offset: 20).checkpoint!])
        ledger.settle(quiescent: true, closedThrough: 0, timeBound: nil, oldestPendingStart: nil)
        let dirty = ledger.takeDirty()
        let safe = try #require(dirty)
        #expect(safe.count == 1)
        #expect(safe.values.first?.position == .file(other))
        #expect(ledger.latest.count == 1)
        // The same key fed again after the forget is a new stream, and kept.
        ledger.feed([Self.record("c", at: 3, offset: 5)])
        ledger.settle(quiescent: true, closedThrough: 0, timeBound: nil, oldestPendingStart: nil)
        #expect(ledger.takeDirty()?.count == 2)
    }
}

/// The TOML form of a session key pattern reaches the sessionizer's fast matcher.
@Suite struct PipelineSettingsTests {
    @Test func wholePatternCaptureGroupIsUnwrapped() throws {
        #expect(PipelineSettings.unwrappedCapture(#"(blk_-?\d+)"#) == #"blk_-?\d+"#)
        #expect(try SessionKeyPattern(PipelineSettings.unwrappedCapture(#"(blk_-?\d+)"#)).usesFastMatcher)
        #expect(try SessionKeyPattern(PipelineSettings.unwrappedCapture(#"(blk_-?\d+)"#)).keys(in: Array("x blk_-42 y".utf8)) == ["blk_-42"])
        #expect(PipelineSettings.unwrappedCapture(#"id=(\d+)"#) == #"id=(\d+)"#)
        #expect(PipelineSettings.unwrappedCapture(#"(a|b)\d"#) == #"(a|b)\d"#)
        #expect(PipelineSettings.unwrappedCapture(#"(?:x)(\d+)"#) == #"(?:x)(\d+)"#)
    }

    /// `sources.files.start_at` reaches the file source (default "end"; "beginning" reads files whole).
    @Test func fileStartAtIsMapped() throws {
        func startAt(_ line: String) throws -> FileSourceConfiguration.StartPosition? {
            let text = "[sources.journal]\nenabled = false\n[[sources.files]]\npath = \"/tmp/x.log\"\n\(line)\n"
            let settings = try PipelineSettings(try RationdConfiguration(text: text), environment: [:])
            guard case let .files(files) = settings.sources.first?.kind else { return nil }
            return files.startAt
        }
        #expect(try startAt("") == .end)
        #expect(try startAt("start_at = \"end\"") == .end)
        #expect(try startAt("start_at = \"beginning\"") == .beginning)
    }
}
