import Foundation
import Testing
import RationCore
@testable import AlertStore

/// A sealed segment's trailer is read before anything checks it against the file: values a
/// damaged disk can hold there are damage to report, not a trap (found by scripts/fuzz alerts:
/// a footer offset above Int.max stopped `Int(_:)` and the store with it).
@Suite struct DamagedTrailerTests {
    func segment(footerOffset: UInt64, footerLength: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.raw(SealedSegment.headerBytes(seq: 1, firstNewID: 1))
        w.u64(footerOffset)
        w.u32(footerLength)
        w.u32(0)
        w.raw(SealedSegment.endMagic)
        return w.bytes
    }

    @Test(arguments: [UInt64.max, UInt64(Int.max), UInt64(Int.max) - 10, 1 << 40])
    func aFooterOffsetBeyondTheFileIsDamage(_ offset: UInt64) throws {
        let dir = TestDirectory("trailer")
        defer { dir.remove() }
        try Data("rationd alert store\nschema 1\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/FORMAT"))
        try Data(segment(footerOffset: offset, footerLength: .max))
            .write(to: URL(fileURLWithPath: dir.path + "/" + StoreLayout.sealedName(1)))
        let store = try AlertStore.openReadOnly(directory: dir.path)
        defer { store.close() }
        #expect(try store.query(AlertQuery(limit: .max)).isEmpty)
        #expect(store.recoveryReport.rebuiltIndexes.count == 1)
    }
}
