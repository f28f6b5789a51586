import Configuration
import Foundation
import RationCore
import TemplateMiner
import Testing

/// The shipped `etc/rationd/rationd.toml` must describe exactly the built-in defaults.
@Suite struct ShippedConfigurationTests {
    static let shippedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/rationd/rationd.toml").path

    @Test func shippedFileEqualsDefaults() throws {
        let parsed = try RationdConfiguration(contentsOf: Self.shippedPath)
        #expect(parsed == RationdConfiguration())
        #expect(parsed.changes(from: RationdConfiguration()).isEmpty)
    }

    /// `rationlab parse` and the evaluations start from `MinerConfiguration.default`; the daemon
    /// from `RationdConfiguration()`: the same miner.
    @Test func daemonMinerDefaultsAreTheMinerDefaults() throws {
        #expect(RationdConfiguration().miner == MinerConfiguration.default)
        #expect(try RationdConfiguration(contentsOf: Self.shippedPath).miner == MinerConfiguration.default)
    }

    @Test func minerTableReachesEveryMinerSetting() throws {
        let c = try RationdConfiguration(text: """
            [miner]
            similarity_threshold = 0.5
            distinct_values_for_parameter = 7
            max_learned_positions = 3
            candidates_per_leaf = 9
            max_line_bytes = 4096
            exact_cache_size = 100
            value_keys = ["login"]
            max_new_templates_per_minute = 5
            [[miner.extra_masks]]
            name = "ticket"
            pattern = "TCK-[0-9]+"
            """)
        var expected = MinerConfiguration.default
        expected.similarityThreshold = 0.5
        expected.distinctValuesForParameter = 7
        expected.maxLearnedPositions = 3
        expected.candidatesPerLeaf = 9
        expected.maxLineBytes = 4096
        expected.exactCacheSize = 100
        expected.valueKeys = ["login"]
        expected.maxNewTemplatesPerMinute = 5
        expected.extraMasks = [MaskingRule(name: "ticket", pattern: "TCK-[0-9]+")]
        #expect(c.miner == expected)
    }

    /// What `rationlab parse --print-configuration` prints reads back as the same miner.
    @Test func printedMinerConfigurationReadsBack() throws {
        var c = MinerConfiguration.default
        c.extraMasks = [MaskingRule(name: "ticket", pattern: "TCK-[0-9]+"), MaskingRule(name: "quoted", pattern: #""\d+""#)]
        c.similarityThreshold = 0.8
        #expect(try RationdConfiguration(text: MinerConfigurationText.render(c)).miner == c)
        #expect(try RationdConfiguration(text: MinerConfigurationText.render(.default)).miner == .default)
    }

    @Test func emptyFileIsTheDefaults() throws {
        #expect(try RationdConfiguration(text: "") == RationdConfiguration())
    }

    @Test func defaultsFollowTheJournalAtWarningAndVarLog() {
        let c = RationdConfiguration()
        #expect(c.sources.journal.enabled)
        #expect(c.sources.journal.maxPriority == .warning)
        #expect(c.sources.journal.learnFromAllPriorities)
        #expect(c.sources.files.map(\.path) == ["/var/log/*.log"])
        #expect(c.control.socket == "/run/rationd/io.rationd")
        #expect(c.storeDirectory == "/var/lib/rationd/alerts")
    }

    /// Every key written in the shipped file is one the parser reads: changing its value away
    /// from the default must change the parsed configuration (so no documented key is dead).
    @Test func everyShippedKeyIsRead() throws {
        let text = try String(contentsOfFile: Self.shippedPath, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var checked = 0
        for (i, line) in lines.enumerated() {
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let replacement = Self.alternative(for: key, value: value) else {
                Issue.record("no alternative value for key \(key) = \(value)")
                continue
            }
            var edited = lines
            edited[i] = "\(key) = \(replacement)"
            let parsed = try RationdConfiguration(text: edited.joined(separator: "\n"), file: "edited")
            #expect(parsed != RationdConfiguration(), "changing \(key) had no effect")
            checked += 1
        }
        #expect(checked >= 50)
    }

    static func alternative(for key: String, value: String) -> String? {
        switch key {
        case "max_priority": return "\"err\""
        case "log_level": return "\"debug\""
        case "start_at": return "\"beginning\""
        case "directory": return value == "\"\"" ? "\"/var/log/journal/remote\"" : "\"other\""
        case "namespace": return "\"ns\""
        case "path": return "\"/var/log/syslog\""
        case "state_directory": return "\"/srv/rationd\""
        case "socket": return "\"/run/other.sock\""
        case "journal_key_field": return "\"SYSLOG_IDENTIFIER\""
        case "value_keys": return "[\"login\"]"
        case "endpoints": return "[\"http://10.0.0.1:8000/v1\"]"
        case "session_key_pattern": return "\"(blk_-?\\\\d+)\""
        case "api_key_file": return "\"/etc/rationd/key\""
        case "few_shot_file": return "\"/etc/rationd/labelled-templates.csv\""
        case "count_step": return "10"
        case "max_bytes": return "\"512MiB\""
        default: break
        }
        if value == "true" { return "false" }
        if value == "false" { return "true" }
        if value == "[]" { return "[\"x.service\"]" }
        if value.hasSuffix("iB\"") { return "\"64KiB\"" }
        if value.hasPrefix("\""), value.hasSuffix("s\"") || value.hasSuffix("m\"") || value.hasSuffix("h\"") || value.hasSuffix("d\"") {
            return "\"2h\""
        }
        if value.hasPrefix("\"") { return "\"name-x\"" }
        if value.contains("."), let d = Double(value) { return String(d < 1 ? d / 2 + 0.05 : d + 1) }
        if let n = Int(value) { return String(n + 1) }
        return nil
    }
}
