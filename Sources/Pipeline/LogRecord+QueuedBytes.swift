import RationCore

extension LogRecord {
    /// What a record costs while it waits in the ingest queue: its message, plus the record
    /// itself and its checkpoint (a journal cursor is about 100 bytes), for bounding the queue by
    /// bytes (`daemon.queue_max_bytes`). `scripts/memory-budget` prints it beside what such
    /// records take of the heap.
    var queuedBytes: Int { message.count + Self.queuedOverheadBytes }

    static let queuedOverheadBytes = MemoryLayout<LogRecord>.stride + 160
}
