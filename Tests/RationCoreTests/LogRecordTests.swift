import Foundation
import Testing
@testable import RationCore

@Suite struct LogRecordTests {
    /// A record whose message is a slice of a read buffer keeps its bytes when the reader
    /// writes its next read into the same buffer variable.
    @Test func slicedMessageSurvivesReuseOfTheChunk() {
        var chunk = Array("first line\nsecond line\n".utf8)
        let record = LogRecord(time: .zero, source: "files.t", message: chunk[11..<22])
        #expect(record.message.startIndex == 11)
        chunk.withUnsafeMutableBytes { raw in
            for k in raw.indices { raw[k] = UInt8(ascii: "x") }
        }
        chunk.append(contentsOf: Array(repeating: 0, count: 4096))
        #expect(record.displayMessage == "second line")
        #expect(record.messageBytes == Array("second line".utf8))
        #expect(record.messageBytes.startIndex == 0)
    }

    @Test func invalidUTF8IsKeptAndOnlyReplacedForDisplay() {
        let bytes: [UInt8] = [0x61, 0xFF, 0xC3, 0x28, 0x62, 0xE2, 0x82]
        let record = LogRecord(time: .zero, source: "files.t", message: bytes)
        #expect(record.messageBytes == bytes)
        #expect(record.displayMessage == "a\u{FFFD}\u{FFFD}(b\u{FFFD}")
        let copy = record
        #expect(copy == record && copy.messageBytes == bytes)
    }

    /// Records compare by their bytes, not by which buffer or offset holds them.
    @Test func equalityIgnoresWhereTheBytesLive() {
        let chunk = Array("xxhello".utf8)
        let sliced = LogRecord(time: .zero, source: "s", message: chunk[2...])
        let owned = LogRecord(time: .zero, source: "s", message: "hello")
        #expect(sliced == owned)
        #expect(sliced.hashValue == owned.hashValue)
        #expect(sliced != LogRecord(time: .zero, source: "s", message: "hellp"))
    }

    /// The records of one file share their fields' storage; changing a field of one record
    /// gives it storage of its own and leaves the others as they were.
    @Test func fieldsAreSharedByCopiesAndCopiedOnChange() {
        let fields = RecordFields(unit: "nginx.service", path: "/var/log/nginx/access.log")
        var a = LogRecord(time: .zero, source: "files.nginx", message: "a", fields: fields)
        let b = LogRecord(time: .zero, source: "files.nginx", message: "b", fields: fields)
        #expect(a.fields.sharesStorage(with: b.fields))
        a.fields.truncated = true
        #expect(a.fields.sharesStorage(with: b.fields))    // truncated is per record
        #expect(a.fields.truncated && !b.fields.truncated)
        a.fields.unit = "other.service"
        #expect(!a.fields.sharesStorage(with: b.fields))
        #expect(a.fields.unit == "other.service" && a.fields.path == "/var/log/nginx/access.log")
        #expect(b.fields.unit == "nginx.service")
        #expect(fields.unit == "nginx.service")
    }

    @Test func fieldsCompareByValue() {
        let x = RecordFields(priority: .err, unit: "a.service", pid: 7)
        let y = RecordFields(priority: .err, unit: "a.service", pid: 7)
        #expect(!x.sharesStorage(with: y))
        #expect(x == y && x.hashValue == y.hashValue)
        #expect(x != RecordFields(priority: .err, unit: "a.service", pid: 8))
        var t = x
        t.truncated = true
        #expect(t != x)
        #expect(RecordFields(priority: .info) == RecordFields(priority: .info))
        #expect(RecordFields(priority: .info).sharesStorage(with: RecordFields(priority: .info)))
        #expect(RecordFields() == RecordFields(priority: nil))
    }

    @Test func fieldsRoundTripThroughJSON() throws {
        let fields = RecordFields(priority: .warning, unit: "u.service", identifier: "u", pid: 42, bootID: "b",
                                  hostname: "h", path: "/p", truncated: true)
        let data = try JSONEncoder().encode(fields)
        #expect(try JSONDecoder().decode(RecordFields.self, from: data) == fields)
        let empty = try JSONDecoder().decode(RecordFields.self, from: Data(#"{"truncated":false}"#.utf8))
        #expect(empty == RecordFields())
    }

    @Test func checkpointIsKeptPerRecord() {
        let checkpoint = Checkpoint(source: "journal", position: .journalCursor("s=1;i=2"))
        var a = LogRecord(time: .zero, source: "journal", message: "m", checkpoint: checkpoint)
        let b = a
        #expect(a.checkpoint == checkpoint && b.checkpoint == checkpoint)
        a.checkpoint = nil
        #expect(a.checkpoint == nil && b.checkpoint == checkpoint)
        #expect(a != b)
        a.checkpoint = Checkpoint(source: "journal", position: .journalCursor("s=1;i=2"))
        #expect(a == b)
    }
}
