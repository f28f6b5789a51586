/// Settings of the template miner, with the one set of defaults that `rationd run`, the
/// shipped `rationd.toml`, `rationlab parse` and every evaluation use. Built-in masking covers
/// the values that are never part of a template; the miner learns the rest (a position that
/// shows `distinctValuesForParameter` different words while the rest of the line stays the
/// same is a value); `extraMasks` lets an operator add site-specific masks.
public struct MinerConfiguration: Sendable, Hashable {
    /// Depth of the prefix tree, counting the root and the token-count level (Drain's `depth`):
    /// `depth - 2` leading tokens select the leaf.
    public var depth: Int
    /// Share of a template's positions a line must match to join it (0...1).
    public var similarityThreshold: Double
    /// Distinct words a position must show, in lines that agree with a template everywhere
    /// else, before it becomes a parameter (0: never learn; the threshold alone decides).
    public var distinctValuesForParameter: Int
    /// Positions a line may differ from a template at and still count as evidence that
    /// those positions are values.
    public var maxLearnedPositions: Int
    /// Templates of a leaf compared with a line (most recently matched first), bounding the
    /// work per line whatever the input.
    public var candidatesPerLeaf: Int
    /// Children per tree node before further distinct tokens share the wildcard child.
    public var maxChildren: Int
    /// LRU cap on live templates; the least recently matched one is evicted beyond it.
    public var maxTemplates: Int
    /// Bytes the live templates may hold in all (text, word offsets, token hashes and a fixed
    /// share each); the least recently matched are evicted beyond it, so long templates
    /// cannot take `maxTemplates` times `maxLineBytes`.
    public var maxTemplateBytes: Int
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
    /// New templates one source may create per minute (a bucket holding a minute's worth);
    /// past it the source's new shapes fold into its overflow template, so a noisy source
    /// can neither evict everyone's templates nor stall the others. 0: no limit.
    public var maxNewTemplatesPerMinute: Int
    /// How often the daemon saves the miner's state (the miner itself has no clock).
    public var snapshotInterval: Duration

    public init(depth: Int = 4, similarityThreshold: Double = 0.95, distinctValuesForParameter: Int = 6,
                maxLearnedPositions: Int = 1, candidatesPerLeaf: Int = 64, maxChildren: Int = 100,
                maxTemplates: Int = 10_000, maxTemplateBytes: Int = 32 << 20, maxTokens: Int = 128, maxLineBytes: Int = 16 * 1024,
                exactCacheSize: Int = 65_536,
                valueKeys: [String] = ["user", "username", "host", "hostname"], extraMasks: [MaskingRule] = [],
                maxNewTemplatesPerMinute: Int = 600, snapshotInterval: Duration = .seconds(300)) {
        self.depth = depth
        self.similarityThreshold = similarityThreshold
        self.distinctValuesForParameter = distinctValuesForParameter
        self.maxLearnedPositions = maxLearnedPositions
        self.candidatesPerLeaf = candidatesPerLeaf
        self.maxChildren = maxChildren
        self.maxTemplates = maxTemplates
        self.maxTemplateBytes = maxTemplateBytes
        self.maxTokens = maxTokens
        self.maxLineBytes = maxLineBytes
        self.exactCacheSize = exactCacheSize
        self.valueKeys = valueKeys
        self.extraMasks = extraMasks
        self.maxNewTemplatesPerMinute = maxNewTemplatesPerMinute
        self.snapshotInterval = snapshotInterval
    }

    public static let `default` = MinerConfiguration()

    /// Throws when a value is out of range or a mask pattern does not compile.
    public func validate() throws(MinerError) {
        func bad(_ key: String, _ why: String) -> MinerError { .invalidConfiguration(key: key, reason: why) }
        if depth < 3 { throw bad("depth", "must be at least 3, is \(depth)") }
        if !(0...1).contains(similarityThreshold) { throw bad("similarityThreshold", "must be within 0...1, is \(similarityThreshold)") }
        if distinctValuesForParameter < 0 || distinctValuesForParameter == 1 {
            throw bad("distinctValuesForParameter", "must be 0 (off) or at least 2, is \(distinctValuesForParameter)")
        }
        if maxLearnedPositions < 1 { throw bad("maxLearnedPositions", "must be at least 1, is \(maxLearnedPositions)") }
        if candidatesPerLeaf < 1 { throw bad("candidatesPerLeaf", "must be at least 1, is \(candidatesPerLeaf)") }
        if maxChildren < 1 { throw bad("maxChildren", "must be at least 1, is \(maxChildren)") }
        if maxTemplates < 1 { throw bad("maxTemplates", "must be at least 1, is \(maxTemplates)") }
        if maxTemplateBytes < 64 << 10 { throw bad("maxTemplateBytes", "must be at least 64 KiB, is \(maxTemplateBytes)") }
        if maxTokens < 2 { throw bad("maxTokens", "must be at least 2, is \(maxTokens)") }
        if maxLineBytes < 16 { throw bad("maxLineBytes", "must be at least 16, is \(maxLineBytes)") }
        if maxNewTemplatesPerMinute < 0 {
            throw bad("maxNewTemplatesPerMinute", "must not be negative, is \(maxNewTemplatesPerMinute)")
        }
        if snapshotInterval < .seconds(1) { throw bad("snapshotInterval", "must be at least 1s, is \(snapshotInterval)") }
        if exactCacheSize < 0 { throw bad("exactCacheSize", "must not be negative, is \(exactCacheSize)") }
        for (index, rule) in extraMasks.enumerated() {
            do { _ = try rule.compiled() } catch {
                throw bad("extraMasks[\(index)]", "pattern \(rule.pattern) does not compile: \(error)")
            }
        }
    }
}
