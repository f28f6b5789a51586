/// Counters of the miner since it was created (kept across snapshots).
public struct MinerStatistics: Sendable, Hashable, Codable {
    /// Lines mined.
    public var lines: UInt64 = 0
    /// Lines cut at `maxLineBytes`.
    public var cappedLines: UInt64 = 0
    /// Lines whose tokens beyond `maxTokens` were folded into one parameter.
    public var truncatedLines: UInt64 = 0
    /// Templates dropped by the LRU cap.
    public var evictions: UInt64 = 0
    /// Templates merged into a more general one (their ids became aliases).
    public var templatesMerged: UInt64 = 0
    /// Lines that joined an overflow template (their source had no new-template budget).
    public var overflowLines: UInt64 = 0
    /// Templates created.
    public var templatesCreated: UInt64 = 0
    /// Templates alive now.
    public var templates: Int = 0

    public init() {}
}
