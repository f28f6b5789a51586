import Foundation
import Testing
import RationCore
@testable import Ingest

/// JournalSource against fixture journals built with systemd-journal-remote.
@Suite struct JournalSourceTests {
    @Test func deliversEveryFieldAndFullLengthMessages() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("units")
        let source = try JournalSource(configuration: .init(open: .files([path]), readFrom: .head), notify: NoticeLog().handler)
        let records = try source.drain()
        #expect(records.count == 31)
        let first = try #require(records.first)
        #expect(first.time == EventTime(microsecondsSinceEpoch: 1_700_000_000_000_000))
        #expect(first.displayMessage == "entry 0 from nginx.service")
        #expect(first.source == "journal")
        #expect(first.fields.priority == .emerg)
        #expect(first.fields.unit == "nginx.service")
        #expect(first.fields.identifier == "nginx")
        #expect(first.fields.pid == 100)
        #expect(first.fields.bootID == "0123456789abcdef0123456789abcdef")
        #expect(first.fields.hostname == "fixture-host")
        #expect(Array(records.map(\.displayMessage).prefix(30)) == (0..<30).map { "entry \($0) from \(["nginx", "sshd", "cron"][$0 % 3]).service" })
        // 100 KiB: sd-journal would cut it at 64 KiB without a zero data threshold.
        let big = try #require(records.last)
        #expect(big.message.count == 100 * 1024)
        #expect(big.messageBytes == (0..<(100 * 1024)).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        #expect(Set(records.compactMap(\.cursor)).count == 31)
        #expect(source.statistics.entriesDelivered == 31)
    }

    /// A message longer than `maxLineBytes` is cut there and flagged, as a file's long line is;
    /// shorter ones are untouched.
    @Test func longMessagesAreCutAtMaxLineBytesAndMarked() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("units")
        let source = try JournalSource(configuration: .init(open: .files([path]), readFrom: .head, maxLineBytes: 16 * 1024),
                                       notify: NoticeLog().handler)
        let records = try source.drain()
        #expect(records.count == 31)
        let big = try #require(records.last)
        #expect(big.message.count == 16 * 1024)
        #expect(big.messageBytes == (0..<(16 * 1024)).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        #expect(big.fields.truncated)
        #expect(records.dropLast().allSatisfy { !$0.fields.truncated })
        #expect(records.first?.displayMessage == "entry 0 from nginx.service")
    }

    @Test func unitIdentifierAndPriorityMatches() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("units")
        func read(_ units: [String], _ identifiers: [String], _ priority: Priority?) throws -> [LogRecord] {
            try JournalSource(configuration: .init(open: .files([path]), units: units, identifiers: identifiers,
                                                   maxPriority: priority, readFrom: .head), notify: NoticeLog().handler).drain()
        }
        let sshd = try read(["sshd.service"], [], nil)
        #expect(sshd.count == 10)
        #expect(sshd.allSatisfy { $0.fields.unit == "sshd.service" })
        let either = try read(["sshd.service"], ["cron"], nil)
        #expect(either.count == 20)
        #expect(Set(either.compactMap(\.fields.unit)) == ["sshd.service", "cron.service"])
        let severe = try read(["sshd.service", "nginx.service"], [], .err)
        let expected = (0..<30).filter { $0 % 3 != 2 && $0 % 8 <= 3 }.map { "entry \($0) from \(["nginx", "sshd"][$0 % 3]).service" }
        #expect(severe.map(\.displayMessage) == expected)
        #expect(try read([], [], .emerg).map(\.displayMessage) == ["entry 0 from nginx.service", "entry 8 from cron.service",
                                                                     "entry 16 from sshd.service", "entry 24 from nginx.service"])
        #expect(try read(["nothing.service"], [], nil).isEmpty)
    }

    @Test func resumesAfterTheSavedCursor() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("sequence")
        let configuration = JournalSourceConfiguration(open: .files([path]), readFrom: .head)
        let first = try JournalSource(configuration: configuration, notify: NoticeLog().handler)
        let batch = try first.nextBatch(maxRecords: 10, timeout: .seconds(1))
        #expect(batch.map(\.displayMessage) == (1...10).map { "seq \($0)" })
        let notices = NoticeLog()
        let resumed = try JournalSource(configuration: configuration, checkpoint: batch.last?.checkpoint, notify: notices.handler)
        let rest = try resumed.drain()
        #expect(rest.map(\.displayMessage) == (11...200).map { "seq \($0)" })
        #expect(notices.text.contains { $0.contains("resuming after cursor") })
    }

    @Test func anEntryAfterAVanishedCursorIsNotSkipped() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let units = try fixtures.unpack("units")
        let sequence = try fixtures.unpack("sequence")
        // A cursor into a file that is gone: the sequence file's entries all come after it.
        let gone = try #require(try JournalSource(configuration: .init(open: .files([units]), readFrom: .head),
                                                  notify: NoticeLog().handler).drain().last?.checkpoint)
        let notices = NoticeLog()
        let source = try JournalSource(configuration: .init(open: .files([sequence]), readFrom: .tail, fallback: .tail),
                                       checkpoint: gone, notify: notices.handler)
        let records = try source.drain()
        #expect(records.first?.displayMessage == "seq 1")
        #expect(records.count == 200)
        #expect(notices.all.contains { if case .savedEntryGone = $0 { true } else { false } })
    }

    @Test func anUnusableCursorFallsBackAndSaysSo() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("sequence")
        let garbage = Checkpoint(source: "journal", position: .journalCursor("not-a-cursor"))
        func read(_ fallback: JournalSourceConfiguration.FallbackPosition) throws -> ([LogRecord], NoticeLog) {
            let notices = NoticeLog()
            let records = try JournalSource(configuration: .init(open: .files([path]), readFrom: .head, fallback: fallback),
                                            checkpoint: garbage, notify: notices.handler).drain()
            return (records, notices)
        }
        let (head, headNotices) = try read(.head)
        #expect(head.count == 200)
        #expect(headNotices.text.contains { $0.contains("'not-a-cursor' is unusable") && $0.contains("head") })
        #expect(try read(.tail).0.isEmpty)
        // The fixture's entries are from 2023: a one-hour maximum age excludes them all, ten thousand days none.
        #expect(try read(.maxAge(.seconds(3600))).0.isEmpty)
        #expect(try read(.maxAge(.seconds(10_000 * 86400))).0.count == 200)
        // A checkpoint of the wrong kind is unusable too: fallback (tail), not readFrom (head).
        let filePosition = Checkpoint(source: "journal", position: .file(FilePosition(
            path: "/x", device: 1, inode: 2, headFingerprint: 0, fingerprintLength: 0, offset: 0, tailHash: 0, tailHashLength: 0)))
        let notices = NoticeLog()
        #expect(try JournalSource(configuration: .init(open: .files([path]), readFrom: .head, fallback: .tail),
                                  checkpoint: filePosition, notify: notices.handler).drain().isEmpty)
        #expect(notices.text.contains { $0.contains("belongs to a file source") && $0.contains("the tail of the journal") })
    }

    @Test func tailStartsWithNewEntriesOnly() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("sequence")
        let source = try JournalSource(configuration: .init(open: .files([path]), readFrom: .tail), notify: NoticeLog().handler)
        #expect(try source.drain().isEmpty)
    }

    @Test func aCorruptEntryIsSkippedCountedAndTheRestDelivered() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("corrupt")
        let notices = NoticeLog()
        let source = try JournalSource(configuration: .init(open: .files([path]), readFrom: .head), notify: notices.handler)
        let records = try source.drain()
        #expect(records.map(\.displayMessage) == (1...200).filter { $0 != 100 }.map { "corrupt \($0)" })
        #expect(source.statistics.entriesSkipped == 1)
        #expect(notices.text.contains { $0.contains("no readable MESSAGE") })
    }

    @Test(arguments: [false, true])
    func aTruncatedFileIsSkippedAndTheOthersRead(asDirectory: Bool) throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let truncated = try fixtures.unpack("truncated", into: "j")
        let sequence = try fixtures.unpack("sequence", into: "j")
        let notices = NoticeLog()
        let open: JournalSourceConfiguration.OpenMode = asDirectory ? .directory("\(fixtures.root)/j") : .files([truncated, sequence])
        let source = try JournalSource(configuration: .init(open: open, readFrom: .head), notify: notices.handler)
        let records = try source.drain()
        #expect(records.map(\.displayMessage) == (1...200).map { "seq \($0)" })
        #expect(source.statistics.corruptFiles == 1)
        #expect(notices.text.contains { $0.contains("skipping unreadable journal file \(truncated)") })
        // Nothing left to read: waiting must sleep, not spin.
        let before = threadCPUTime()
        let clock = ContinuousClock.now
        #expect(try source.nextBatch(maxRecords: 10, timeout: .seconds(1)).isEmpty)
        #expect(ContinuousClock.now - clock >= .milliseconds(900))
        #expect(threadCPUTime() - before < .milliseconds(300))
    }

    @Test func aBadFileAppearingLaterIsReported() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        _ = try fixtures.unpack("sequence", into: "j")
        let notices = NoticeLog()
        let source = try JournalSource(configuration: .init(open: .directory("\(fixtures.root)/j"), readFrom: .head),
                                       notify: notices.handler)
        #expect(try source.drain().count == 200)
        let staged = try fixtures.unpack("truncated", into: "staging")
        let arrived = "\(fixtures.root)/j/truncated.journal"
        #expect(rename(staged, arrived) == 0)
        let deadline = ContinuousClock.now + .seconds(5)
        while source.statistics.corruptFiles == 0, ContinuousClock.now < deadline {
            #expect(try source.nextBatch(maxRecords: 10, timeout: .milliseconds(200)).isEmpty)
        }
        #expect(source.statistics.corruptFiles == 1)
        #expect(notices.text.contains { $0.contains("skipping unreadable journal file \(arrived)") })
    }

    @Test func aFileBeingWrittenIsNotReportedAsCorrupt() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        _ = try fixtures.unpack("sequence", into: "j")
        let fresh = try fixtures.unpack("truncated", into: "j")
        #expect(utimensat(AT_FDCWD, fresh, nil, 0) == 0)   // modified just now, as while journald creates it
        let source = try JournalSource(configuration: .init(open: .directory("\(fixtures.root)/j"), readFrom: .head),
                                       notify: NoticeLog().handler)
        #expect(try source.drain().count == 200)
        #expect(source.statistics.corruptFiles == 0)
    }

    /// A reopen (after a bus error, a failed wait) before anything was delivered must resume
    /// where the source first stood, not at the tail of the journal as it is by then.
    @Test func aReopenBeforeAnyDeliverySkipsNothing() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        _ = try fixtures.unpack("units", into: "j")
        let empty = "\(fixtures.root)/empty"
        try DurableFile.makeDirectories(empty)
        let tail = try JournalSource(configuration: .init(open: .directory("\(fixtures.root)/j"), readFrom: .tail),
                                     notify: NoticeLog().handler)
        // No journal yet: when one appears, everything in it is new.
        let fromEmpty = try JournalSource(configuration: .init(open: .directory(empty), readFrom: .tail,
                                                               reopenInterval: .milliseconds(50)), notify: NoticeLog().handler)
        #expect(try tail.drain().isEmpty)
        // Later entries arrive (the sequence file's are all newer than the units file's).
        _ = try fixtures.unpack("sequence", into: "staging")
        #expect(rename("\(fixtures.root)/staging/sequence.journal", "\(fixtures.root)/j/sequence.journal") == 0)
        _ = try fixtures.unpack("sequence", into: "empty")
        tail.reopen(reason: "test")
        #expect(try tail.drain(timeout: .milliseconds(200)).map(\.displayMessage) == (1...200).map { "seq \($0)" })
        var fromEmptyRecords: [LogRecord] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while fromEmptyRecords.count < 200, ContinuousClock.now < deadline {
            fromEmptyRecords += try fromEmpty.nextBatch(maxRecords: 100, timeout: .milliseconds(100))
        }
        #expect(fromEmptyRecords.map(\.displayMessage) == (1...200).map { "seq \($0)" })
    }

    @Test func aMissingJournalIsAwaited() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let directory = "\(fixtures.root)/later"
        let notices = NoticeLog()
        let source = try JournalSource(configuration: .init(open: .directory(directory), readFrom: .head,
                                                            reopenInterval: .milliseconds(100)), notify: notices.handler)
        #expect(!source.isOpen)
        #expect(try source.nextBatch(maxRecords: 10, timeout: .milliseconds(300)).isEmpty)
        #expect(notices.text.contains { $0.contains("waiting for \(directory)") })
        _ = try fixtures.unpack("sequence", into: "later")
        var records: [LogRecord] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while records.count < 200, ContinuousClock.now < deadline {
            records += try source.nextBatch(maxRecords: 100, timeout: .milliseconds(200))
        }
        #expect(records.map(\.displayMessage) == (1...200).map { "seq \($0)" })
    }

    @Test func currentBootOnlyLeavesOutOtherBoots() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = try fixtures.unpack("units")
        // The fixture entries carry a made-up boot id, never the running one.
        let source = try JournalSource(configuration: .init(open: .files([path]), currentBootOnly: true, readFrom: .head),
                                       notify: NoticeLog().handler)
        #expect(try source.drain().isEmpty)
        let matches = try JournalMatches(.init(currentBootOnly: true))
        #expect(matches.terms.count == 1)
        #expect(matches.terms.first.map { if case let .field(text) = $0 { text.hasPrefix("_BOOT_ID=") && text.count == 41 } else { false } } == true)
    }

    @Test func repeatedWarningsAreSpacedAndCountWhatWasHeldBack() {
        var limiter = JournalWarningLimiter(interval: .seconds(30))
        let start = ContinuousClock.now
        #expect(limiter.admit(.corruptFile, now: start) == 0)
        #expect(limiter.admit(.corruptFile, now: start + .seconds(1)) == nil)
        #expect(limiter.admit(.corruptFile, now: start + .seconds(2)) == nil)
        #expect(limiter.admit(.readError, now: start + .seconds(2)) == 0)
        #expect(limiter.admit(.corruptFile, now: start + .seconds(31)) == 2)
        #expect(limiter.admit(.corruptFile, now: start + .seconds(62)) == 0)
    }

    @Test func inventoryReadsMachineIDDirectoriesLikeSdJournal() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let id = "0123456789abcdef0123456789abcdef"
        let top = try fixtures.unpack("units", into: "root")
        let machine = try fixtures.unpack("sequence", into: "root/\(id)")
        _ = try fixtures.unpack("sequence", into: "root/\(id).ns1")   // a namespace: not read
        _ = try fixtures.unpack("sequence", into: "root/remote")   // not a machine id: not read
        let plain = JournalFileInventory.scan(.directory("\(fixtures.root)/root"))
        #expect(Set(plain.files) == [top, machine])
        #expect(plain.unreadable.isEmpty)
    }

    @Test func invalidConfigurationNamesTheKey() {
        #expect { try JournalSource(configuration: .init(id: "j1", open: .files([]))) } throws: { "\($0)".contains("j1.files") }
        #expect { try JournalSource(configuration: .init(id: "j2", units: ["a=b"])) } throws: { "\($0)".contains("j2.units") }
    }

    @Test func matchesFormAnExpression() throws {
        let matches = try JournalMatches(.init(units: ["a.service", "b.service"], identifiers: ["c"], maxPriority: .crit))
        #expect(matches.terms == [.field("_SYSTEMD_UNIT=a.service"), .field("_SYSTEMD_UNIT=b.service"), .or,
                                  .field("SYSLOG_IDENTIFIER=c"), .and,
                                  .field("PRIORITY=0"), .field("PRIORITY=1"), .field("PRIORITY=2")])
        #expect(try JournalMatches(.init()).terms.isEmpty)
    }
}
