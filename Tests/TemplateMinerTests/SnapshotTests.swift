import Foundation
import Testing
@testable import TemplateMiner

/// Snapshots: a restored miner continues exactly as the original would.
@Suite struct SnapshotTests {
    @Test func restoredMinerAssignsTheSameIds() throws {
        let contents = try Fixture.hdfsContents()
        var original = TemplateMiner()
        for line in contents[..<1000] { _ = original.mine(line) }
        var restored = try TemplateMiner(snapshot: original.snapshot())
        #expect(restored.templateCount == original.templateCount)
        #expect(restored.statistics == original.statistics)
        for id in original.templates.map(\.id) {
            #expect(restored.template(for: id) == original.template(for: id))
        }
        for line in contents[1000...] + contents[..<1000] {
            let a = original.mine(line)
            let b = restored.mine(line)
            #expect(a == b)
        }
        #expect(restored.templates.map(\.id) == original.templates.map(\.id))
    }

    @Test func roundTripKeepsLRUOrderCountersAndConfiguration() throws {
        var configuration = MinerConfiguration.default
        configuration.maxTemplates = 4
        configuration.similarityThreshold = 0.6
        configuration.extraMasks = [MaskingRule(name: "ticket", pattern: "[A-Z]+-[A-Z]+")]
        var miner = TemplateMiner(configuration: configuration)
        for line in ["a one", "b two three", "c four five six", "a one", "d x y z w", "e p q r s t", "ABC-DEF closed"] {
            _ = miner.mine(line)
        }
        let restored = try TemplateMiner(snapshot: miner.snapshot())
        #expect(restored.configuration == configuration)
        #expect(restored.templates.map(\.id) == miner.templates.map(\.id))
        #expect(restored.templates.map(\.matches) == miner.templates.map(\.matches))
        #expect(restored.statistics.evictions == miner.statistics.evictions)
        #expect(restored.statistics.evictions > 0)
        // New ids continue after the restored ones.
        var next = restored
        let fresh = next.mine("brand new message shape here")
        #expect(fresh.isNewTemplate)
        #expect(fresh.templateID.rawValue == miner.statistics.templatesCreated + 1)
    }

    @Test func snapshotIsVersionedAndCompressed() throws {
        var miner = TemplateMiner()
        for line in try Fixture.hdfsContents() { _ = miner.mine(line) }
        let bytes = try miner.snapshot()
        #expect(Array(bytes[0..<4]) == Array("RTMS".utf8))
        #expect(Array(bytes[4..<8]) == [1, 0, 0, 0])
        // A zstd frame follows the header.
        #expect(Array(bytes[8..<12]) == [0x28, 0xB5, 0x2F, 0xFD])
    }

    @Test func damagedSnapshotsAreRejectedWithAReason() throws {
        var miner = TemplateMiner()
        _ = miner.mine("hello world")
        let good = try miner.snapshot()

        #expect(throws: MinerError.self) { try TemplateMiner(snapshot: Array("nope".utf8)) }

        var newer = good
        newer[4] = 9
        #expect(throws: MinerError.unsupportedSnapshotVersion(found: 9, supported: 1)) {
            try TemplateMiner(snapshot: newer)
        }

        let truncated = Array(good[..<(good.count - 5)])
        #expect {
            try TemplateMiner(snapshot: truncated)
        } throws: { error in
            guard case MinerError.corruptSnapshot = error else { return false }
            return true
        }
    }

    @Test func saveAndLoadThroughAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("miner-snapshot-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("miner.snapshot").path

        #expect(try TemplateMiner.load(from: path) == nil)

        var miner = TemplateMiner()
        let id = miner.mine("disk sda1 is 93% full").templateID
        try miner.save(to: path)
        // Saving again replaces the file whole; no temporary file is left behind.
        _ = miner.mine("fan speed 1200 rpm")
        try miner.save(to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["miner.snapshot"])

        var loaded = try #require(try TemplateMiner.load(from: path))
        #expect(loaded.templateCount == 2)
        #expect(loaded.mine("disk sdb2 is 12% full").templateID == id)

        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try TemplateMiner.load(from: path)
        } throws: { error in
            guard case let MinerError.snapshotFile(errorPath, _) = error else { return false }
            return errorPath == path
        }
    }

    @Test func restoresUnderTheRunningConfiguration() throws {
        var miner = TemplateMiner()
        _ = miner.mine("worker 7 started in 30 ms")
        var running = MinerConfiguration.default
        running.similarityThreshold = 0.5
        let restored = try TemplateMiner(snapshot: miner.snapshot(), configuration: running)
        #expect(restored.configuration == running)
        #expect(restored.templateCount == 1)
        running.depth = 5
        #expect(throws: MinerError.snapshotConfigurationDiffers(setting: "depth")) {
            _ = try TemplateMiner(snapshot: miner.snapshot(), configuration: running)
        }
    }
}
