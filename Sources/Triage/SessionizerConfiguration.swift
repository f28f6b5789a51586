import RationCore

/// How the sessionizer groups records into windows and when it closes them.
public struct SessionizerConfiguration: Sendable, Hashable {
    /// What decides the window a record belongs to.
    public enum Keying: Sendable, Hashable {
        /// A session id captured from the message (`blk_-?\d+`); a line naming several ids
        /// joins each of their sessions. Lines without a match are not windowed.
        case capture(SessionKeyPattern)
        /// A record field (journald `_SYSTEMD_UNIT`, `SYSLOG_IDENTIFIER`, a file path, or the
        /// source itself); records lacking the field are keyed by their source.
        case field(RecordField)
        /// Keyless streams, per source: windows of `size` events, a new one every `slide`
        /// events (`slide == size` gives fixed, non-overlapping windows).
        case countWindow(size: Int, slide: Int)
        /// Keyless streams, per source: tumbling windows of `duration`, aligned to multiples of
        /// `duration` since the epoch.
        case timeWindow(duration: Duration)
    }

    public enum RecordField: String, Sendable, Hashable, CaseIterable {
        case unit, identifier, path, source
    }

    public var keying: Keying
    /// A keyed session closes after this long without an event (nil: never by idleness).
    public var idleGap: Duration?
    /// A keyed session closes once it holds this many events.
    public var maxEvents: Int
    /// A keyed session closes once it spans this long (nil: no limit).
    public var maxDuration: Duration?
    /// At most this many sessions are open at once; past it the oldest one is closed early
    /// (counted in `SessionizerStatistics.evictedSessions`).
    public var maxOpenSessions: Int
    /// A window keeps its first `maxEventsKept` events; `eventCount` still counts every one.
    public var maxEventsKept: Int
    /// Message text is kept for the first few events of each template in a window (the rest
    /// carry an empty message) so memory stays bounded while every template has examples.
    public var maxMessagesPerTemplate: Int
    /// Kept message text is cut to this many bytes.
    public var maxMessageBytes: Int

    public init(keying: Keying, idleGap: Duration? = .seconds(300), maxEvents: Int = 1_000,
                maxDuration: Duration? = .seconds(3_600), maxOpenSessions: Int = 10_000, maxEventsKept: Int = 1_000,
                maxMessagesPerTemplate: Int = 3, maxMessageBytes: Int = 1_024) {
        self.keying = keying
        self.idleGap = idleGap
        self.maxEvents = maxEvents
        self.maxDuration = maxDuration
        self.maxOpenSessions = maxOpenSessions
        self.maxEventsKept = maxEventsKept
        self.maxMessagesPerTemplate = maxMessagesPerTemplate
        self.maxMessageBytes = maxMessageBytes
    }

    /// Journald default: one session per systemd unit.
    public static let `default` = SessionizerConfiguration(keying: .field(.unit))

    /// Checks the limits; a bad value names the setting.
    public func validate() throws(TriageError) {
        func positive(_ value: Int, _ name: String) throws(TriageError) {
            guard value > 0 else { throw .invalidConfiguration(setting: name, reason: "must be > 0, got \(value)") }
        }
        func positive(_ value: Duration?, _ name: String) throws(TriageError) {
            if let value, value <= .zero {
                throw .invalidConfiguration(setting: name, reason: "must be > 0, got \(value)")
            }
        }
        try positive(maxEvents, "maxEvents")
        try positive(maxOpenSessions, "maxOpenSessions")
        try positive(maxEventsKept, "maxEventsKept")
        try positive(maxMessageBytes, "maxMessageBytes")
        if maxMessagesPerTemplate < 0 {
            throw .invalidConfiguration(setting: "maxMessagesPerTemplate", reason: "must be >= 0")
        }
        try positive(idleGap, "idleGap")
        try positive(maxDuration, "maxDuration")
        switch keying {
        case .countWindow(let size, let slide):
            try positive(size, "countWindow.size")
            try positive(slide, "countWindow.slide")
            if slide > size {
                throw .invalidConfiguration(setting: "countWindow.slide", reason: "must be <= size (\(size)), got \(slide)")
            }
        case .timeWindow(let duration):
            try positive(duration, "timeWindow.duration")
        case .capture, .field:
            break
        }
    }
}
