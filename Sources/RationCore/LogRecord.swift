/// One log event as a source delivers it.
///
/// Laid out for the read path, where a record is built per line: the message is a slice of
/// the chunk the source read (one buffer per chunk, shared by its records through the
/// array's reference count, not one array per line), the fields every record of one origin
/// shares (a file's path, a unit) are held by reference, and the checkpoint, set on a few
/// records per batch, is boxed. Invalid UTF-8 is preserved losslessly and only replaced
/// when displayed.
public struct LogRecord: Sendable, Hashable {
    public var time: EventTime
    public var source: SourceID
    /// The message bytes. Usually a slice of a larger buffer: its indices do not start at 0
    /// (use `message.startIndex`, `withUnsafeBytes`, or `Array(message)`), and holding it
    /// keeps that buffer alive, so a stage that keeps message bytes beyond the batch copies
    /// them.
    public var message: ArraySlice<UInt8>
    public var fields: RecordFields
    @usableFromInline var checkpointBox: CheckpointBox?

    @inlinable
    public init(time: EventTime, source: SourceID, message: ArraySlice<UInt8>, fields: RecordFields = RecordFields(),
                checkpoint: Checkpoint? = nil) {
        self.time = time
        self.source = source
        self.message = message
        self.fields = fields
        self.checkpointBox = checkpoint.map(CheckpointBox.init)
    }

    @inlinable
    public init(time: EventTime, source: SourceID, message: [UInt8], fields: RecordFields = RecordFields(),
                checkpoint: Checkpoint? = nil) {
        self.init(time: time, source: source, message: message[...], fields: fields, checkpoint: checkpoint)
    }

    @inlinable
    public init(time: EventTime, source: SourceID, message: String, fields: RecordFields = RecordFields(),
                checkpoint: Checkpoint? = nil) {
        self.init(time: time, source: source, message: Array(message.utf8)[...], fields: fields,
                  checkpoint: checkpoint)
    }

    /// Where the source stands once this record is durable downstream.
    @inlinable
    public var checkpoint: Checkpoint? {
        get { checkpointBox?.checkpoint }
        set { checkpointBox = newValue.map(CheckpointBox.init) }
    }

    /// The message bytes in an array of their own (indices from 0).
    public var messageBytes: [UInt8] { Array(message) }

    /// The message for display: invalid UTF-8 replaced by U+FFFD.
    public var displayMessage: String { String(decoding: message, as: UTF8.self) }
}

/// A checkpoint held by reference: most records carry none, and a record stays small to copy.
@usableFromInline
final class CheckpointBox: Sendable, Hashable {
    @usableFromInline let checkpoint: Checkpoint
    @usableFromInline init(_ checkpoint: Checkpoint) { self.checkpoint = checkpoint }
    @usableFromInline static func == (a: CheckpointBox, b: CheckpointBox) -> Bool { a === b || a.checkpoint == b.checkpoint }
    @usableFromInline func hash(into hasher: inout Hasher) { hasher.combine(checkpoint) }
}
