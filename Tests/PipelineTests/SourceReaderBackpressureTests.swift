import Foundation
import Ingest
import Logging
import RationCore
import Synchronization
import Testing
@testable import Pipeline

/// A source of long lines is held back by the ingest queue's bytes: its reader thread blocks
/// with the queue at its byte bound, long before the record bound, and every record arrives.
@Suite struct SourceReaderBackpressureTests {
    /// Endless batches of 8 records of 64 KiB each, numbered.
    final class LongLineSource: LogSource, @unchecked Sendable {
        let id: SourceID = "files.long"
        let produced = Atomic<Int>(0)

        func nextBatch(maxRecords: Int, timeout: Duration) throws(IngestError) -> [LogRecord] {
            let first = produced.add(8, ordering: .relaxed).oldValue
            return (first..<first + 8).map { n in
                var message = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
                withUnsafeBytes(of: UInt32(n).littleEndian) { message.replaceSubrange(0..<4, with: $0) }
                return LogRecord(time: EventTime(microsecondsSinceEpoch: Int64(n)), source: id, message: message)
            }
        }
    }

    @Test func aSourceOfLongLinesBlocksAtTheByteBound() async throws {
        let byteCapacity = 1 << 20
        let channel = BatchChannel<PipelineEvent>(capacity: 2_000, byteCapacity: byteCapacity)
        let source = LongLineSource()
        let reader = SourceReader(source: source, kind: "files", channel: channel, batchSize: 8, logger: Logger(label: "test"))
        reader.start()
        try await Task.sleep(for: .milliseconds(500))
        let queuedBytes = channel.depthBytes
        let queued = channel.depth
        // At most the queue's bytes, plus the batch the blocked thread holds.
        #expect(queuedBytes <= byteCapacity && queuedBytes > byteCapacity / 2)
        #expect(queued < 20, "the record bound of 2,000 alone would have let it queue 125 MiB")
        #expect(source.produced.load(ordering: .relaxed) <= queued + 8)

        var received: [UInt32] = []
        while received.count < 64, let event = await channel.receive() {
            if case let .batch(_, records) = event {
                received += records.map { $0.message.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } }
            }
        }
        reader.stop()
        channel.close()
        while await channel.receive() != nil {}
        #expect(reader.join(timeout: .seconds(5)))
        #expect(received == (0..<UInt32(received.count)).map { $0 }, "nothing dropped, in order")
    }
}
