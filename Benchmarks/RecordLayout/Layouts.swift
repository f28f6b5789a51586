// Candidate record layouts for the file read path, compiled as their own module so that, as
// with RationCore, the reader cannot inline across it. `OwnedMessageRecord` mirrors
// RationCore.LogRecord as it is; the others are what a RationCore change could look like.

public enum Priority: Int, Sendable, Hashable { case emerg = 0, alert, crit, err, warning, notice, info, debug }

public struct EventTime: Hashable, Sendable {
    public var microseconds: Int64
    public init(_ microseconds: Int64) { self.microseconds = microseconds }
}

public struct SourceID: Hashable, Sendable {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
}

public struct FilePosition: Hashable, Sendable {
    public var path: String
    public var device: UInt64 = 1
    public var inode: UInt64 = 2
    public var headFingerprint: UInt64 = 3
    public var fingerprintLength: Int = 4
    public var offset: UInt64
    public var tailHash: UInt64 = 5
    public var tailHashLength: Int = 6
    public init(path: String, offset: UInt64) {
        self.path = path
        self.offset = offset
    }
}

public struct Checkpoint: Hashable, Sendable {
    public enum Position: Hashable, Sendable {
        case journalCursor(String)
        case file(FilePosition)
    }

    public var source: SourceID
    public var position: Position
    public init(source: SourceID, position: Position) {
        self.source = source
        self.position = position
    }
}

public struct RecordFields: Hashable, Sendable {
    public var priority: Priority?
    public var unit: String?
    public var identifier: String?
    public var pid: Int32?
    public var bootID: String?
    public var hostname: String?
    public var path: String?
    public var truncated: Bool
    public init(path: String? = nil, truncated: Bool = false) {
        self.path = path
        self.truncated = truncated
    }
}

/// As RationCore.LogRecord today: each message its own array, every field inline.
public struct OwnedMessageRecord: Hashable, Sendable {
    public var time: EventTime
    public var source: SourceID
    public var message: [UInt8]
    public var fields: RecordFields
    public var checkpoint: Checkpoint?
    public init(time: EventTime, source: SourceID, message: [UInt8], fields: RecordFields) {
        self.time = time
        self.source = source
        self.message = message
        self.fields = fields
    }
}

/// The message is a slice of the chunk it was read in: one allocation per chunk, not per line.
public struct ChunkSliceRecord: Hashable, Sendable {
    public var time: EventTime
    public var source: SourceID
    public var message: ArraySlice<UInt8>
    public var fields: RecordFields
    public var checkpoint: Checkpoint?
    public init(time: EventTime, source: SourceID, message: ArraySlice<UInt8>, fields: RecordFields) {
        self.time = time
        self.source = source
        self.message = message
        self.fields = fields
    }
}

/// The fields every record of one file shares, held once by reference.
public final class SharedFields: Sendable {
    public let source: SourceID
    public let fields: RecordFields
    public init(source: SourceID, fields: RecordFields) {
        self.source = source
        self.fields = fields
    }
}

/// Chunk-slice message plus the per-file fields shared by reference: one retain per record.
public struct SharedFieldsRecord: Sendable {
    public var time: EventTime
    public var message: ArraySlice<UInt8>
    public var shared: SharedFields
    public var truncated: Bool
    public var checkpoint: Checkpoint?
    public init(time: EventTime, message: ArraySlice<UInt8>, shared: SharedFields) {
        self.time = time
        self.message = message
        self.shared = shared
        self.truncated = false
    }
}
