import Foundation
import RationCore
import Testing

@Suite struct RecoveryLogTests {
    @Test func theLogIsBoundedAndAcknowledgingClearsIt() {
        let log = RecoveryLog(capacity: 3)
        for i in 1...5 { log.record(Recovery(what: "file checkpoint", path: "/s/\(i)", movedTo: nil, reason: "bad")) }
        let pending = log.pending
        #expect(pending.entries.map(\.path) == ["/s/3", "/s/4", "/s/5"], "the newest are kept")
        #expect(pending.dropped == 2)
        #expect(log.acknowledge() == 5)
        #expect(log.pending.entries.isEmpty && log.pending.dropped == 0)
    }

    @Test func moveAsideKeepsTheDamagedBytesUnderATimestampedName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-recovery-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/checkpoints.json"
        try Data("{broken".utf8).write(to: URL(fileURLWithPath: path))
        let aside = try #require(Recovery.moveAside(path, at: Date(timeIntervalSince1970: 1_764_000_000)))
        #expect(aside == path + ".damaged-20251124T160000Z")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try String(contentsOfFile: aside, encoding: .utf8) == "{broken")
        #expect(Recovery.moveAside(path) == nil, "nothing to move")
    }
}
