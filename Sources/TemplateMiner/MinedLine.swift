import RationCore

/// What the miner says about one line.
public struct MinedLine: Sendable, Hashable {
    public var templateID: TemplateID
    /// The line's values at the template's `<*>` positions, in order.
    public var parameters: [String]
    /// True when this line created its template.
    public var isNewTemplate: Bool

    public init(templateID: TemplateID, parameters: [String], isNewTemplate: Bool) {
        self.templateID = templateID
        self.parameters = parameters
        self.isNewTemplate = isNewTemplate
    }
}

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
    /// Templates created.
    public var templatesCreated: UInt64 = 0
    /// Templates alive now.
    public var templates: Int = 0

    public init() {}
}
