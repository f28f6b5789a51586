/// One log event as a source delivers it. The message is kept as bytes: invalid UTF-8 is
/// preserved losslessly and only replaced when displayed.
public struct LogRecord: Sendable, Hashable {
    public var time: EventTime
    public var source: SourceID
    public var message: [UInt8]
    public var fields: RecordFields
    /// Where the source stands once this record is durable downstream.
    public var checkpoint: Checkpoint?

    public init(time: EventTime, source: SourceID, message: [UInt8], fields: RecordFields = RecordFields(),
                checkpoint: Checkpoint? = nil) {
        self.time = time
        self.source = source
        self.message = message
        self.fields = fields
        self.checkpoint = checkpoint
    }

    public init(time: EventTime, source: SourceID, message: String, fields: RecordFields = RecordFields(),
                checkpoint: Checkpoint? = nil) {
        self.init(time: time, source: source, message: Array(message.utf8), fields: fields, checkpoint: checkpoint)
    }

    /// The message for display: invalid UTF-8 replaced by U+FFFD.
    public var displayMessage: String { String(decoding: message, as: UTF8.self) }
}

/// The well-known fields rationd uses; journald names in comments.
public struct RecordFields: Sendable, Hashable, Codable {
    public var priority: Priority?          // PRIORITY
    public var unit: String?                // _SYSTEMD_UNIT
    public var identifier: String?          // SYSLOG_IDENTIFIER
    public var pid: Int32?                  // _PID
    public var bootID: String?              // _BOOT_ID
    public var hostname: String?            // _HOSTNAME
    public var path: String?                // file sources: the file the line came from
    /// Set by file sources when a line over the cap was split.
    public var truncated: Bool

    public init(priority: Priority? = nil, unit: String? = nil, identifier: String? = nil, pid: Int32? = nil,
                bootID: String? = nil, hostname: String? = nil, path: String? = nil, truncated: Bool = false) {
        self.priority = priority
        self.unit = unit
        self.identifier = identifier
        self.pid = pid
        self.bootID = bootID
        self.hostname = hostname
        self.path = path
        self.truncated = truncated
    }
}
