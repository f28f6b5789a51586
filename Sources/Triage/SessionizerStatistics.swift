/// What the sessionizer did, for `rationctl status` and benchmarks.
public struct SessionizerStatistics: Sendable, Hashable, Codable {
    /// Records offered to `add`.
    public var records = 0
    /// Records that named no session key (capture keying) and were not windowed.
    public var unkeyedRecords = 0
    public var openedSessions = 0
    public var closedWindows = 0
    public var closedByIdleGap = 0
    public var closedByMaxEvents = 0
    public var closedByMaxDuration = 0
    /// Count windows emitted when full (fixed) or every `slide` events (sliding).
    public var closedByCount = 0
    /// Time windows closed at the end of their span.
    public var closedByTime = 0
    public var closedByFlush = 0
    /// Sessions closed early because `maxOpenSessions` were open.
    public var evictedSessions = 0
    /// Events counted in windows but not kept in `Window.events` (past `maxEventsKept`).
    public var eventsElided = 0

    public init() {}
}
