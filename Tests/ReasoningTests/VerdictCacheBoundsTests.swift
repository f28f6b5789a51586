import Foundation
import RationCore
import Testing
@testable import Reasoning

/// The verdict cache stays within `cache_size` and `cache_max_bytes`, forgetting the least
/// recently used first, and its file grows by appends that survive a torn last write.
@Suite struct VerdictCacheBoundsTests {
    func key(_ text: String) -> VerdictCache.Key { .init(templateText: text, model: "m", promptVersion: "v1") }

    func verdict(_ label: Verdict.Label = .abnormal, rationale: String = "because") -> Verdict {
        Verdict(label: label, status: .verified, rationale: rationale, model: "m", verifierScore: 2.1)
    }

    func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func capacityForgetsTheLeastRecentlyUsedFirst() {
        var cache = VerdictCache(capacity: 3)
        for text in ["a", "b", "c"] { cache.store(verdict(), for: key(text)) }
        #expect(cache.lookup(key("a")) != nil, "a is now the most recently used")
        cache.store(verdict(), for: key("d"))
        #expect(cache.count == 3)
        #expect(cache.lookup(key("b")) == nil, "b was the least recently used")
        // Used in this order, c becomes the most recent, a the least.
        #expect(cache.lookup(key("d")) != nil && cache.lookup(key("a")) != nil && cache.lookup(key("c")) != nil)
        cache.store(verdict(), for: key("e"))
        #expect(cache.count == 3)
        #expect(cache.lookup(key("d")) == nil, "d was used before a and c")
        #expect(cache.lookup(key("a")) != nil && cache.lookup(key("c")) != nil && cache.lookup(key("e")) != nil)
    }

    @Test func byteBudgetForgetsTheLeastRecentlyUsedFirst() {
        let rationale = String(repeating: "r", count: 4_000)
        // Room for five entries (keys of two digits), not six.
        let room = VerdictCache.Entry(key: key("t10"), verdict: verdict(rationale: rationale), sequence: 0).bytes * 5 + 100
        var cache = VerdictCache(capacity: 1_000, maxBytes: room)
        for i in 0..<20 { cache.store(verdict(rationale: rationale), for: key("t\(i)")) }
        #expect(cache.count == 5)
        #expect(cache.bytes <= room)
        #expect((0..<15).allSatisfy { cache.lookup(key("t\($0)")) == nil })
        #expect((15..<20).allSatisfy { cache.lookup(key("t\($0)")) != nil })
    }

    @Test func zeroCapacityCachesNothing() {
        var cache = VerdictCache(capacity: 0)
        cache.store(verdict(), for: key("a"))
        #expect(cache.count == 0 && cache.lookup(key("a")) == nil)
    }

    @Test func openAppliesTheCapacityToWhatTheFileHolds() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        var cache = VerdictCache(path: path, capacity: 100)
        for i in 0..<10 { cache.store(verdict(), for: key("t\(i)")) }
        try cache.save()
        var small = try VerdictCache.open(path: path, capacity: 4)
        #expect(small.count == 4)
        #expect((6..<10).allSatisfy { small.lookup(key("t\($0)")) != nil }, "the newest four stay")
    }

    @Test func savesAppendOnlyWhatChanged() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        var cache = VerdictCache(path: path, capacity: 100)
        for i in 0..<10 { cache.store(verdict(), for: key("t\(i)")) }
        try cache.save()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try lines(path).first == #"{"format":2}"#)

        cache.store(verdict(.normal), for: key("t10"))
        cache.setOverride(templateText: "noisy <*>", label: .normal)
        try cache.save()
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after.count > before.count)
        #expect(after.prefix(before.count) == before, "the file grew by an append; what it held is unchanged")
        #expect(try lines(path).count == 1 + 10 + 2 + 1, "header, ten verdicts, two new records, trailing newline")

        try cache.save()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == after, "nothing changed, nothing written")
        var reopened = try VerdictCache.open(path: path, capacity: 100)
        #expect(reopened.count == 11 && reopened.overrideCount == 1)
        #expect(reopened.lookup(key("t10"))?.label == .normal)
    }

    @Test func aTornLastRecordIsDroppedAndTheFileRewritten() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        var cache = VerdictCache(path: path)
        for i in 0..<3 { cache.store(verdict(), for: key("t\(i)")) }
        try cache.save()
        cache.store(verdict(), for: key("t3"))
        try cache.save()
        // A crash in the middle of the next append.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"verdict":{"key":{"model":"m","promptVers"#.utf8))
        try handle.close()

        var reopened = try VerdictCache.open(path: path)
        #expect(reopened.count == 4)
        #expect((0..<4).allSatisfy { reopened.lookup(key("t\($0)")) != nil })
        reopened.store(verdict(), for: key("t4"))
        try reopened.save()
        #expect(!(try lines(path).contains { $0.contains("promptVers\"") && !$0.hasSuffix("}") }), "the torn line is gone")
        let again = try VerdictCache.open(path: path)
        #expect(again.count == 5)
    }

    @Test func aDamagedRecordBeforeTheLastIsAnErrorAndMovedAside() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        try Data("{\"format\":2}\n{not json\n{\"unlabel\":\"x\"}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReasoningError.self) { try VerdictCache.open(path: path) }
        let (cache, recovery) = VerdictCache.openRecovering(path: path)
        #expect(cache.count == 0)
        #expect(recovery?.reason.contains("line 2") == true)
        #expect(recovery?.movedTo.map { FileManager.default.fileExists(atPath: $0) } == true)
    }

    @Test func compactionKeepsTheFileNearTheLiveRecords() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        var cache = VerdictCache(path: path, capacity: 5)
        cache.setOverride(templateText: "kept <*>", label: .normal)
        var longest = 0
        for i in 0..<500 {
            cache.store(verdict(), for: key("t\(i)"))
            try cache.save()
            longest = max(longest, try lines(path).count - 2)
        }
        let live = 5 + 1
        #expect(longest <= 2 * live + VerdictCache.compactionSlack, "records on file, live \(live)")
        var reopened = try VerdictCache.open(path: path, capacity: 5)
        #expect(reopened.count == 5 && reopened.overrideCount == 1)
        #expect((495..<500).allSatisfy { reopened.lookup(key("t\($0)")) != nil })
    }

    @Test func formatOneFilesAreReadAndRewrittenAsFormatTwo() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        // What format 1 wrote: the whole cache as one object.
        let entry = VerdictCache.Entry(key: key("disk <*> failed"), verdict: verdict(), sequence: 1)
        let old = try JSONEncoder().encode(VerdictCache.FileModelV1(format: 1, entries: [entry], overrides: []))
        try old.write(to: URL(fileURLWithPath: path))
        var cache = try VerdictCache.open(path: path)
        #expect(cache.count == 1)
        #expect(cache.lookup(key("disk <*> failed"))?.label == .abnormal)
        try cache.save()
        #expect(try lines(path).first == #"{"format":2}"#)
        var reopened = try VerdictCache.open(path: path)
        #expect(reopened.lookup(key("disk <*> failed"))?.label == .abnormal)
    }
}
