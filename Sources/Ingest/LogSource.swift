import RationCore

/// A source of log records, owned by one thread and pulled in batches. Pulling (rather than
/// pushing into a stream) gives back-pressure for free: a slow pipeline slows reading, it
/// never buffers without bound or drops.
public protocol LogSource: AnyObject {
    var id: SourceID { get }

    /// Up to `maxRecords` new records, waiting at most `timeout` for the first one; an empty
    /// batch means nothing arrived in time. Each record's `checkpoint` says where the source
    /// stands once that record is durable downstream.
    func nextBatch(maxRecords: Int, timeout: Duration) throws(IngestError) -> [LogRecord]

    /// Everything up to `checkpoint` is durable; the source may release what it held for it
    /// (for example a rotated file it was draining).
    func acknowledge(_ checkpoint: Checkpoint)

    /// Streams the source stopped tracking since the last call (files gone for good), one
    /// checkpoint each: their saved checkpoints may be dropped.
    func takeForgottenStreams() -> [Checkpoint]

    /// Problems met since the last call that did not stop reading, for the log.
    func takeNotices() -> [String]
}

extension LogSource {
    public func acknowledge(_ checkpoint: Checkpoint) {}
    public func takeForgottenStreams() -> [Checkpoint] { [] }
    public func takeNotices() -> [String] { [] }
}
