import TemplateMiner

extension MinerConfiguration {
    /// `[miner]`: every key maps onto one `MinerConfiguration` property; a missing key keeps
    /// the default, so the daemon's built-in values, the shipped file and `rationlab parse` agree.
    init(reading t: TableReader) throws(ConfigurationError) {
        self = .default
        similarityThreshold = try t.double("similarity_threshold", default: similarityThreshold, in: 0.01...1)
        distinctValuesForParameter = try t.integer("distinct_values_for_parameter", default: distinctValuesForParameter,
                                                   in: 0...1_000)
        if distinctValuesForParameter == 1 {
            throw t.error("distinct_values_for_parameter", "must be 0 (off) or at least 2, is 1")
        }
        maxLearnedPositions = try t.integer("max_learned_positions", default: maxLearnedPositions, in: 1...64)
        candidatesPerLeaf = try t.integer("candidates_per_leaf", default: candidatesPerLeaf, in: 1...10_000)
        depth = try t.integer("depth", default: depth, in: 3...16)
        maxChildren = try t.integer("max_children", default: maxChildren, in: 2...10_000)
        maxTemplates = try t.integer("max_templates", default: maxTemplates, in: 100...10_000_000)
        maxTemplateBytes = try t.byteSize("max_template_bytes", default: maxTemplateBytes, in: (64 << 10)...(16 << 30))
        maxTokens = try t.integer("max_tokens", default: maxTokens, in: 4...4096)
        maxLineBytes = try t.integer("max_line_bytes", default: maxLineBytes, in: 64...(1 << 24))
        exactCacheSize = try t.integer("exact_cache_size", default: exactCacheSize, in: 0...(1 << 26))
        valueKeys = try t.strings("value_keys", default: valueKeys)
        if let masks = try t.tables("extra_masks") {
            extraMasks = []
            for mask in masks {
                let rule = MaskingRule(name: try mask.string("name", default: ""), pattern: try mask.string("pattern", default: ""))
                if rule.name.isEmpty { throw mask.error("name", "every extra mask needs a name") }
                if rule.pattern.isEmpty { throw mask.error("pattern", "every extra mask needs a pattern") }
                do { try MinerConfiguration(extraMasks: [rule]).validate() } catch {
                    throw mask.error("pattern", "\"\(rule.pattern)\" is not a valid regular expression")
                }
                try mask.finish()
                extraMasks.append(rule)
            }
        }
        maxNewTemplatesPerMinute = try t.integer("max_new_templates_per_minute", default: maxNewTemplatesPerMinute,
                                                 in: 0...1_000_000)
        snapshotInterval = try t.duration("snapshot_interval", default: snapshotInterval, minimum: .seconds(1))
        try t.finish()
    }
}
