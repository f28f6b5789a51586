import Foundation
import Testing
import RationCore
@testable import Ingest

@Suite struct FileSourceTests {
    @Test func followsAppendsAndResumesAfterRestartWithoutDuplicates() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("a", 0..<10))
        let source = try FileSource(configuration: .test([log]))
        var got = try source.collect { $0.count >= 10 }
        writeFile(log, lines("a", 10..<15), append: true)
        got += try source.collect { $0.count >= 5 }
        #expect(got.texts == (0..<15).map { "a\($0)" })
        #expect(got.allSatisfy { $0.fields.path == log && $0.source == "files.test" })
        let state = source.checkpointState()
        #expect(state.files.count == 1)
        #expect(state.files[0].position.offset == UInt64(lines("a", 0..<15).utf8.count))

        writeFile(log, lines("a", 15..<20), append: true)
        let restarted = try FileSource(configuration: .test([log]), state: state)
        let more = try restarted.collect { $0.count >= 5 } + restarted.collect(for: .milliseconds(300))
        #expect(more.texts == (15..<20).map { "a\($0)" })
    }

    @Test func unacknowledgedRecordsAreDeliveredAgainAfterRestart() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("a", 0..<10))
        let source = try FileSource(configuration: .test([log]))
        let batch = try source.nextBatch(maxRecords: 100, timeout: .seconds(5))
        #expect(batch.count == 10)
        // Nothing acknowledged: the saved state still points at the start.
        let restarted = try FileSource(configuration: .test([log]), state: source.checkpointState())
        #expect(try restarted.collect { $0.count >= 10 }.texts == (0..<10).map { "a\($0)" })
    }

    @Test func batchesSmallerThanOneReadDeliverEveryLineOnceInOrder() throws {
        // A read yields hundreds of these lines; batches of 7 leave most of them queued for
        // the following batches.
        let dir = TestDirectory()
        let log = dir.file("app.log")
        let text = lines("b", 0..<2000)
        writeFile(log, text)
        let source = try FileSource(configuration: .test([log]))
        var got: [LogRecord] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while got.count < 2000 && ContinuousClock.now < deadline {
            let batch = try source.nextBatch(maxRecords: 7, timeout: .milliseconds(100))
            #expect(batch.count <= 7)
            if let checkpoint = batch.last(where: { $0.checkpoint != nil })?.checkpoint {
                source.acknowledge(checkpoint)
            }
            got += batch
        }
        #expect(got.texts == (0..<2000).map { "b\($0)" })
        #expect(try source.collect(for: .milliseconds(200)).isEmpty)
        #expect(source.checkpointState().files.map(\.position.offset) == [UInt64(text.utf8.count)])
    }

    @Test func partialLastLineIsHeldThenCompletedOrFlushed() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, "first\nsec")
        let source = try FileSource(configuration: .test([log]))
        #expect(try source.collect { $0.count >= 1 }.texts == ["first"])
        writeFile(log, "ond\nthi", append: true)
        #expect(try source.collect { $0.count >= 1 }.texts == ["second"])
        // "thi" has no newline: delivered only after the partial-line timeout.
        let start = ContinuousClock.now
        #expect(try source.collect { $0.count >= 1 }.texts == ["thi"])
        #expect(ContinuousClock.now - start >= .milliseconds(250))
    }

    @Test func directoryAppearingLaterIsFollowed() throws {
        let dir = TestDirectory()
        let source = try FileSource(configuration: .test([dir.path + "/later/*.log"]))
        #expect(try source.collect(for: .milliseconds(200)).isEmpty)
        mkdir(dir.path + "/later", 0o755)
        writeFile(dir.path + "/later/x.log", "one\ntwo\n")
        let got = try source.collect { $0.count >= 2 }
        #expect(got.texts == ["one", "two"])
        #expect(got.allSatisfy { $0.fields.path == dir.path + "/later/x.log" })
        #expect(source.followedPaths == [dir.path + "/later/x.log"])
    }

    @Test func excludedAndCompressedFilesAreNotRead() throws {
        let dir = TestDirectory()
        writeFile(dir.file("app.log"), "keep\n")
        writeFile(dir.file("debug.log"), "excluded\n")
        writeFile(dir.file("app.log.2.gz"), [0x1f, 0x8b, 0x08, 0x00, 0x0A])
        let source = try FileSource(configuration: .test([dir.path + "/*.log*"], exclude: ["*/debug.*"]))
        let got = try source.collect { $0.count >= 1 } + source.collect(for: .milliseconds(300))
        #expect(got.texts == ["keep"])
    }

    @Test func inodeReuseIsDetectedAfterRestart() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("old-", 0..<50))
        var state: FileSourceState
        do {
            // Scoped: the reader's descriptor must be closed for the inode to be freed.
            let source = try FileSource(configuration: .test([log]))
            _ = try source.collect { $0.count >= 50 }
            state = source.checkpointState()
        }
        let oldInode = inode(log)
        unlink(log)
        sync()  // ext4 hands a freed inode out again once the deletion is committed
        // Longer new content, so only the content hashes (not the size) can tell it apart.
        let newContent = lines("new-", 0..<80)
        var reused = false
        for attempt in 0..<64 {
            let candidate = dir.file("candidate\(attempt)")
            writeFile(candidate, newContent)
            if inode(candidate) == oldInode {
                rename(candidate, log)
                reused = true
                break
            }
            unlink(candidate)
            sync()
        }
        if !reused {
            // The filesystem did not hand the inode out again: give the checkpoint the new
            // file's inode instead, which is what reuse looks like to the reader.
            print("inodeReuseIsDetectedAfterRestart: inode not reused by the filesystem; checkpoint pointed at the new inode")
            writeFile(log, newContent)
            state.files[0].position.inode = inode(log)
        }
        let restarted = try FileSource(configuration: .test([log]), state: state)
        let got = try restarted.collect { $0.count >= 80 } + restarted.collect(for: .milliseconds(200))
        #expect(got.texts == (0..<80).map { "new-\($0)" })
    }

    @Test func fileReplacedByAShorterOneIsReadFromItsStart() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("long-", 0..<100))
        let source = try FileSource(configuration: .test([log]))
        _ = try source.collect { $0.count >= 100 }
        // Live: replaced by rename.
        writeFile(dir.file("tmp"), lines("short-", 0..<3))
        rename(dir.file("tmp"), log)
        #expect(try source.collect { $0.count >= 3 }.texts == ["short-0", "short-1", "short-2"])
        let state = source.checkpointState()
        // While stopped: rewritten in place (same inode), shorter than the saved offset.
        writeFile(log, lines("tiny-", 0..<2))
        let restarted = try FileSource(configuration: .test([log]), state: state)
        let got = try restarted.collect { $0.count >= 2 } + restarted.collect(for: .milliseconds(200))
        #expect(got.texts == ["tiny-0", "tiny-1"])
    }

    @Test func tenMiBSingleLineIsSplitAtTheCapLosslessly() throws {
        let dir = TestDirectory()
        let log = dir.file("big.log")
        let big = (0..<(10 << 20)).map { UInt8(65 + $0 % 26) }
        writeFile(log, big + Array("\nafter\n".utf8))
        let source = try FileSource(configuration: .test([log], maxLineBytes: 1 << 20))
        let got = try source.collect { $0.last?.displayMessage == "after" }
        #expect(got.count == 11)
        #expect(got.prefix(10).allSatisfy { $0.fields.truncated && $0.message.count == 1 << 20 })
        #expect(Array(got.prefix(10).map(\.message).joined()) == big)
        #expect(got.last.map { !$0.fields.truncated } == true)

        let uncapped = try FileSource(configuration: .test([log], maxLineBytes: 16 << 20))
        let whole = try uncapped.collect { $0.count >= 2 }
        #expect(whole.count == 2 && whole[0].messageBytes == big && !whole[0].fields.truncated)
    }

    @Test func binaryJunkIsDeliveredLosslessly() throws {
        let dir = TestDirectory()
        let log = dir.file("junk.log")
        var rng = SplitMix64(seed: 42)
        var junk = (0..<(256 << 10)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        junk.append(0x0A)
        writeFile(log, junk)
        // Reference split: at \n, one trailing \r removed.
        let expected = junk.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { line -> [UInt8] in
            line.last == 0x0D ? Array(line.dropLast()) : Array(line)
        }
        let source = try FileSource(configuration: .test([log]))
        let got = try source.collect { $0.count >= expected.count }
        #expect(got.map(\.messageBytes) == expected)
        #expect(got.contains { $0.displayMessage.contains("\u{FFFD}") })
    }

    @Test func fileDeletedWhileOpenIsDrainedThenClosed() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        defer { close(fd) }
        func put(_ s: String) { _ = s.withCString { write(fd, $0, strlen($0)) } }
        put(lines("x", 0..<10))
        let source = try FileSource(configuration: .test([log]))
        var got = try source.collect { $0.count >= 10 }
        unlink(log)
        put(lines("x", 10..<20))
        got += try source.collect { $0.count >= 10 }
        #expect(got.texts == (0..<20).map { "x\($0)" })
        // Quiet for rotate_wait: the deleted file is closed.
        _ = try source.collect(for: .milliseconds(600))
        #expect(source.openFileCount == 0)
    }

    @Test func copytruncateWhileFollowingContinuesInTheCopy() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("c", 0..<100))
        let source = try FileSource(configuration: .test([log]))
        var got = try source.collect { $0.count >= 100 }
        // Lines appended, then copied and truncated before the reader looks again.
        writeFile(log, lines("c", 100..<150), append: true)
        let content = try Data(contentsOf: URL(fileURLWithPath: log))
        try content.write(to: URL(fileURLWithPath: dir.file("app.log.1")))
        truncate(log, 0)
        writeFile(log, lines("c", 150..<160), append: true)
        got += try source.collect { $0.count >= 60 } + source.collect(for: .milliseconds(300))
        #expect(got.texts == (0..<160).map { "c\($0)" })
    }

    @Test func copytruncateBeforeTheFollowedFileWasReadContinuesInTheNewCopy() throws {
        // After a restart the reader first drains the copy made while it was down; the
        // followed file, not read yet (offset 0), is copied and truncated once more meanwhile.
        let dir = TestDirectory()
        let log = dir.file("app.log")
        func copytruncate(keep rotated: String) throws {
            let content = try Data(contentsOf: URL(fileURLWithPath: log))
            try content.write(to: URL(fileURLWithPath: dir.file(rotated)))
            truncate(log, 0)
        }
        writeFile(log, lines("c", 0..<100))
        let source = try FileSource(configuration: .test([log]))
        _ = try source.collect { $0.count >= 100 }
        let state = source.checkpointState()
        writeFile(log, lines("c", 100..<1100), append: true)
        try copytruncate(keep: "app.log.1")
        writeFile(log, lines("c", 1100..<1110), append: true)

        let restarted = try FileSource(configuration: .test([log]), state: state)
        var got = try restarted.nextBatch(maxRecords: 100, timeout: .seconds(5))
        #expect(got.texts == (100..<200).map { "c\($0)" })
        writeFile(log, lines("c", 1110..<1120), append: true)
        rename(dir.file("app.log.1"), dir.file("app.log.2"))
        try copytruncate(keep: "app.log.1")
        writeFile(log, lines("c", 1120..<1130), append: true)
        got += try restarted.collect { $0.count >= 930 } + restarted.collect(for: .milliseconds(300))
        #expect(got.texts == (100..<1130).map { "c\($0)" })
    }

    @Test func renameRotationWhileStoppedDrainsTheRotatedFile() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("r", 0..<10))
        let source = try FileSource(configuration: .test([log]))
        _ = try source.collect { $0.count >= 10 }
        let state = source.checkpointState()
        writeFile(log, lines("r", 10..<20), append: true)
        rename(log, dir.file("app.log.1"))
        writeFile(log, lines("r", 20..<30))
        let restarted = try FileSource(configuration: .test([log]), state: state)
        let got = try restarted.collect { $0.count >= 20 } + restarted.collect(for: .milliseconds(400))
        #expect(got.texts == (10..<30).map { "r\($0)" })
    }

    @Test func rotatedFilesPresentAtFirstStartAreNotRead() throws {
        let dir = TestDirectory()
        writeFile(dir.file("app.log.1"), "history\n")
        writeFile(dir.file("app.log"), "now\n")
        let source = try FileSource(configuration: .test([dir.file("app.log")]))
        let got = try source.collect { $0.count >= 1 } + source.collect(for: .milliseconds(300))
        #expect(got.texts == ["now"])
        // And they stay known across a restart.
        let restarted = try FileSource(configuration: .test([dir.file("app.log")]), state: source.checkpointState())
        #expect(try restarted.collect(for: .milliseconds(300)).isEmpty)
    }

    @Test func startAtEndSkipsWhatFilesHoldAtTheFirstStartOnly() throws {
        let dir = TestDirectory()
        let old = dir.file("old.log")
        writeFile(old, lines("old", 0..<5))
        var configuration = FileSourceConfiguration.test([dir.path + "/*.log"])
        configuration.startAt = .end
        let source = try FileSource(configuration: configuration)
        #expect(try source.collect(for: .milliseconds(300)).isEmpty)
        // New lines in an existing file, and a file appearing later (read from its start).
        writeFile(old, lines("old", 5..<8), append: true)
        writeFile(dir.file("new.log"), lines("new", 0..<4))
        let got = try source.collect { $0.count >= 7 } + source.collect(for: .milliseconds(300))
        #expect(got.filter { $0.fields.path == old }.texts == (5..<8).map { "old\($0)" })
        #expect(got.filter { $0.fields.path == dir.file("new.log") }.texts == (0..<4).map { "new\($0)" })

        // A restart with saved state reads what was written meanwhile, in both files.
        let state = source.checkpointState()
        writeFile(old, lines("old", 8..<10), append: true)
        writeFile(dir.file("new.log"), lines("new", 4..<6), append: true)
        let restarted = try FileSource(configuration: configuration, state: state)
        let more = try restarted.collect { $0.count >= 4 } + restarted.collect(for: .milliseconds(300))
        #expect(Set(more.texts) == ["old8", "old9", "new4", "new5"])

        // The default reads an existing file whole.
        let whole = try FileSource(configuration: .test([old]))
        #expect(try whole.collect { $0.count >= 10 }.texts == (0..<10).map { "old\($0)" })
    }

    @Test func multilineRecordsAreMergedWithTheirCheckpointAtTheLastLine() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        let text = "2024-01-01 start\n  at a\n  at b\n2024-01-01 next\n"
        writeFile(log, text)
        let rule = FileSourceConfiguration.Multiline(startPattern: "^[0-9]{4}-", maxLines: 50, timeout: .milliseconds(200))
        let source = try FileSource(configuration: .test([log], multiline: rule))
        let got = try source.collect { $0.count >= 2 }
        #expect(got.texts == ["2024-01-01 start\n  at a\n  at b", "2024-01-01 next"])
        guard case let .file(position)? = got[0].checkpoint?.position else {
            Issue.record("first record has no checkpoint")
            return
        }
        #expect(position.offset == UInt64("2024-01-01 start\n  at a\n  at b\n".utf8.count))
    }

    @Test func pollingAloneFollowsAppendsAndRotation() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, lines("p", 0..<5))
        let source = try FileSource(configuration: .test([log]), state: nil, useInotify: false)
        var got = try source.collect { $0.count >= 5 }
        writeFile(log, lines("p", 5..<10), append: true)
        rename(log, dir.file("app.log.1"))
        writeFile(dir.file("app.log.1"), lines("p", 10..<12), append: true)
        writeFile(log, lines("p", 12..<15))
        got += try source.collect { $0.count >= 10 } + source.collect(for: .milliseconds(300))
        #expect(got.texts.sorted() == (0..<15).map { "p\($0)" }.sorted())
        #expect(got.count == 15)
    }

    @Test func checkpointsOfDeadFilesExpire() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, "a\n")
        var config = FileSourceConfiguration.test([log])
        config.expireAfter = .milliseconds(300)
        let source = try FileSource(configuration: config)
        _ = try source.collect { $0.count >= 1 }
        rename(log, dir.file("app.log.1"))
        writeFile(log, "b\n")
        _ = try source.collect { $0.count >= 1 }
        #expect(source.checkpointState().files.count == 2)
        // The rotated file still exists: kept past expiry while it is there.
        _ = try source.collect(for: .milliseconds(800))
        #expect(source.checkpointState().files.count == 2)
        unlink(dir.file("app.log.1"))
        _ = try source.collect(for: .milliseconds(800))
        #expect(source.checkpointState().files.map(\.position.inode) == [inode(log)])
    }

    /// A rotated file that was deleted is forgotten once missing for `missingGrace` (and
    /// reported, so saved checkpoints drop it); while the followed path is missing its stream
    /// waits for expiry.
    @Test func deletedRotatedFilesAreForgottenAfterTheGrace() throws {
        let dir = TestDirectory()
        let log = dir.file("app.log")
        writeFile(log, "a\n")
        var config = FileSourceConfiguration.test([log])
        config.missingGrace = .milliseconds(300)
        let source = try FileSource(configuration: config)
        _ = try source.collect { $0.count >= 1 }
        let first = inode(log)
        rename(log, dir.file("app.log.1"))
        writeFile(log, "b\n")
        _ = try source.collect { $0.count >= 1 }
        _ = try source.collect(for: .milliseconds(300))
        #expect(source.takeForgottenStreams().isEmpty)
        unlink(dir.file("app.log.1"))
        _ = try source.collect(for: .milliseconds(1500))
        let forgotten = source.takeForgottenStreams()
        #expect(forgotten.count == 1)
        if case let .file(position)? = forgotten.first?.position { #expect(position.inode == first) }
        #expect(source.checkpointState().files.map(\.position.inode) == [inode(log)])

        // The followed path gone as well (an unmounted directory looks the same): kept.
        unlink(log)
        _ = try source.collect(for: .milliseconds(1500))
        #expect(source.takeForgottenStreams().isEmpty)
        #expect(source.checkpointState().files.count == 1)
    }

    @Test func invalidConfigurationNamesTheKey() {
        do {
            _ = try FileSource(configuration: .test(["relative/*.log"]))
            Issue.record("relative glob accepted")
        } catch {
            #expect("\(error)".contains("sources.files.test.include"))
        }
    }
}

