import RationCore
import Foundation
import TemplateMiner

/// A miner configuration written as `[miner]` keys, one `key = value` line each, in the order
/// the shipped file uses: what `rationlab parse --print-configuration` prints.
public enum MinerConfigurationText {
    public static func render(_ c: MinerConfiguration) -> String {
        var lines = [
            "[miner]",
            "similarity_threshold = \(c.similarityThreshold)",
            "distinct_values_for_parameter = \(c.distinctValuesForParameter)",
            "max_learned_positions = \(c.maxLearnedPositions)",
            "candidates_per_leaf = \(c.candidatesPerLeaf)",
            "depth = \(c.depth)",
            "max_children = \(c.maxChildren)",
            "max_templates = \(c.maxTemplates)",
            "max_template_bytes = \"\(ByteSizeText.format(c.maxTemplateBytes))\"",
            "max_tokens = \(c.maxTokens)",
            "max_line_bytes = \(c.maxLineBytes)",
            "exact_cache_size = \(c.exactCacheSize)",
            "value_keys = [\(c.valueKeys.map(quoted).joined(separator: ", "))]",
            "max_new_templates_per_minute = \(c.maxNewTemplatesPerMinute)",
            "snapshot_interval = \"\(DurationText.format(c.snapshotInterval))\"",
        ]
        for mask in c.extraMasks {
            lines += ["[[miner.extra_masks]]", "name = \(quoted(mask.name))", "pattern = \(quoted(mask.pattern))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: backslashes, quotes and control characters escaped (`\d+`
    /// stays a regex).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16, uppercase: true)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
