/// Settings of the template miner. `default` is the one generic configuration meant for every
/// log: built-in masking covers the values that are never part of a template, and
/// `extraMasks` lets an operator add site-specific ones without replacing the built-ins.
public struct MinerConfiguration: Sendable, Codable, Hashable {
    /// Depth of the prefix tree, counting the root and the token-count level (Drain's `depth`):
    /// `depth - 2` leading tokens select the leaf.
    public var depth: Int
    /// Share of a template's positions a line must match to join it (0...1).
    public var similarityThreshold: Double
    /// Children per tree node before further distinct tokens share the wildcard child.
    public var maxChildren: Int
    /// LRU cap on live templates; the least recently matched one is evicted beyond it.
    public var maxTemplates: Int
    /// Tokens kept per line; the rest of a longer line becomes one trailing parameter.
    public var maxTokens: Int
    /// Bytes of a line looked at; longer lines are cut here and counted.
    public var maxLineBytes: Int
    /// Entries in the exact-match cache (masked token sequence -> template).
    public var exactCacheSize: Int
    /// Words after which the next word is a value (`user alice`, `host db1`); compared
    /// ASCII case-insensitively.
    public var valueKeys: [String]
    /// Operator-supplied masks, applied to whole whitespace-separated words before the
    /// built-in ones.
    public var extraMasks: [MaskingRule]

    public init(depth: Int = 4, similarityThreshold: Double = 0.92, maxChildren: Int = 100,
                maxTemplates: Int = 10_000, maxTokens: Int = 128, maxLineBytes: Int = 16 * 1024,
                exactCacheSize: Int = 65_536,
                valueKeys: [String] = ["user", "username", "host", "hostname"], extraMasks: [MaskingRule] = []) {
        self.depth = depth
        self.similarityThreshold = similarityThreshold
        self.maxChildren = maxChildren
        self.maxTemplates = maxTemplates
        self.maxTokens = maxTokens
        self.maxLineBytes = maxLineBytes
        self.exactCacheSize = exactCacheSize
        self.valueKeys = valueKeys
        self.extraMasks = extraMasks
    }

    public static let `default` = MinerConfiguration()

    private enum CodingKeys: String, CodingKey {
        case depth, similarityThreshold, maxChildren, maxTemplates, maxTokens, maxLineBytes, exactCacheSize
        case valueKeys, extraMasks
    }

    /// Keys left out keep their default, so a configuration file names only what it changes.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MinerConfiguration()
        depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
        similarityThreshold = try c.decodeIfPresent(Double.self, forKey: .similarityThreshold) ?? d.similarityThreshold
        maxChildren = try c.decodeIfPresent(Int.self, forKey: .maxChildren) ?? d.maxChildren
        maxTemplates = try c.decodeIfPresent(Int.self, forKey: .maxTemplates) ?? d.maxTemplates
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? d.maxTokens
        maxLineBytes = try c.decodeIfPresent(Int.self, forKey: .maxLineBytes) ?? d.maxLineBytes
        exactCacheSize = try c.decodeIfPresent(Int.self, forKey: .exactCacheSize) ?? d.exactCacheSize
        valueKeys = try c.decodeIfPresent([String].self, forKey: .valueKeys) ?? d.valueKeys
        extraMasks = try c.decodeIfPresent([MaskingRule].self, forKey: .extraMasks) ?? d.extraMasks
    }

    /// Throws when a value is out of range or a mask pattern does not compile.
    public func validate() throws(MinerError) {
        func bad(_ key: String, _ why: String) -> MinerError { .invalidConfiguration(key: key, reason: why) }
        if depth < 3 { throw bad("depth", "must be at least 3, is \(depth)") }
        if !(0...1).contains(similarityThreshold) { throw bad("similarityThreshold", "must be within 0...1, is \(similarityThreshold)") }
        if maxChildren < 1 { throw bad("maxChildren", "must be at least 1, is \(maxChildren)") }
        if maxTemplates < 1 { throw bad("maxTemplates", "must be at least 1, is \(maxTemplates)") }
        if maxTokens < 2 { throw bad("maxTokens", "must be at least 2, is \(maxTokens)") }
        if maxLineBytes < 16 { throw bad("maxLineBytes", "must be at least 16, is \(maxLineBytes)") }
        if exactCacheSize < 0 { throw bad("exactCacheSize", "must not be negative, is \(exactCacheSize)") }
        for (index, rule) in extraMasks.enumerated() {
            do { _ = try rule.compiled() } catch {
                throw bad("extraMasks[\(index)]", "pattern \(rule.pattern) does not compile: \(error)")
            }
        }
    }
}
