import Foundation
import RationCore
import Testing
@testable import Pipeline

/// Builds journal-like records and prints the bytes the ingest queue accounts for per record
/// (`LogRecord.queuedBytes`) beside the growth of the process's anonymous memory per record
/// (`scripts/memory-budget` runs it alone for docs/operations.md, "Memory budget").
@Suite struct QueuedRecordFootprintTests {
    @Test func accountedBytesPerRecord() {
        let n = 50_000
        let before = ResidentMemory.anonymousBytes()
        var records: [LogRecord] = []
        records.reserveCapacity(n)
        // Consecutive entries of one unit share their fields, as the journal decoder makes them.
        let fields = RecordFields(priority: .info, unit: "ssh.service", identifier: "sshd")
        for i in 0..<n {
            let cursor = "s=0123456789abcdef0123456789abcdef;i=\(String(i, radix: 16));b=0123456789abcdef0123456789abcdef;"
                + "m=\(String(i * 7, radix: 16));t=62a1b2c3d4e5f;x=\(String(i * 13, radix: 16))"
            records.append(LogRecord(time: EventTime(microsecondsSinceEpoch: Int64(i)), source: "journal",
                                     message: "sshd[\(1000 + i)]: Accepted publickey for deploy from 10.0.\(i % 256).\(i % 200) port \(40000 + i % 20000) ssh2",
                                     fields: fields,
                                     checkpoint: Checkpoint(source: "journal", position: .journalCursor(cursor))))
        }
        let after = ResidentMemory.anonymousBytes()
        let accounted = records.reduce(0) { $0 + $1.queuedBytes } / n
        let resident = before.flatMap { b in after.map { ($0 - b) / n } }
        print("footprint: ingest queue: \(n) records, accounted \(accounted) B each, resident \(resident.map(String.init) ?? "-") B each")
        #expect(accounted > LogRecord.queuedOverheadBytes)
        #expect(records.count == n)
    }
}
