/// Counters a `JournalSource` keeps for its operator and its tests.
public struct JournalSourceStatistics: Sendable, Hashable {
    public var entriesDelivered = 0
    /// Entries that could not be read and were skipped.
    public var entriesSkipped = 0
    /// Entries rationd wrote itself (its alerts, its own log lines), not read as input.
    public var ownEntriesSkipped = 0
    public var readErrors = 0
    /// Journal files left out because they cannot be opened.
    public var corruptFiles = 0
    public var busErrors = 0
    public var opens = 0
    public var reopens = 0
    public init() {}
}
