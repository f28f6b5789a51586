import Foundation
import Testing
import RationCore
@testable import Ingest

@Suite struct CheckpointStoreTests {
    @Test func roundTripAndUpdate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        try DurableFile.makeDirectories(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = CheckpointStore(path: dir + "/checkpoints.json")
        #expect(try store.load().isEmpty)
        let journal = Checkpoint(source: "journal", position: .journalCursor("s=abc;i=1"))
        let file = Checkpoint(source: "files", position: .file(FilePosition(
            path: "/var/log/x.log", device: 1, inode: 2, headFingerprint: 3, fingerprintLength: 64,
            offset: 100, tailHash: 4, tailHashLength: 64)))
        try store.save(journal)
        try store.save(file)
        try store.save(Checkpoint(source: "journal", position: .journalCursor("s=abc;i=2")))
        let loaded = try store.load()
        #expect(loaded.count == 2)
        #expect(loaded["journal"]?.position == .journalCursor("s=abc;i=2"))
        #expect(loaded["files"] == file)
    }

    @Test func corruptFileIsNamed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)").path
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try CheckpointStore(path: path).load() } throws: { "\($0)".contains(path) }
    }
}
