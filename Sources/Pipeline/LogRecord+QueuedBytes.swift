import RationCore

extension LogRecord {
    /// What a record costs while it waits in the ingest queue, for bounding the queue by bytes
    /// (`daemon.queue_max_bytes`): its message, plus the record itself, its message array and
    /// its checkpoint (a journal cursor is about 130 bytes on the heap). `scripts/memory-budget`
    /// prints it beside what such records take of the heap.
    var queuedBytes: Int { message.count + Self.queuedOverheadBytes }

    static let queuedOverheadBytes = MemoryLayout<LogRecord>.stride + 448
}
