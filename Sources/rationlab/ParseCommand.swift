import ArgumentParser
import RationCore
import Configuration
import TemplateMiner
#if canImport(Glibc)
import Glibc
#endif

/// `rationlab parse`: mines templates from log files offline and writes, per line, the id and
/// the final text of its template (the input format of score_parsing.py), or a summary.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Mine templates from log files and print each line's template (CSV or JSON lines) or a summary."
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

    @Option(name: .customLong("log-format"),
            help: "Line layout in logparser notation, e.g. '<Date> <Time> <Level> <Component>: <Content>'; only <Content> is mined. Default: the whole line.")
    var logFormat: String?

    @Flag(help: "One JSON object per line (line, template id, template, parameters) instead of CSV.")
    var json = false

    /// The former spelling: `--output jsonl` is `--json`, `--output csv` the default.
    @Option(help: .hidden)
    var output: OutputFormat = .csv

    @Flag(help: "Print the templates with their line counts instead of one row per line.")
    var summary = false

    @Option(name: .customLong("config"),
            help: "Take the miner settings from this configuration file's [miner] table (default: the built-in ones, which the shipped rationd.toml repeats).")
    var configPath: String?

    @Flag(name: .customLong("print-configuration"), help: "Print the miner settings in effect as [miner] keys and exit.")
    var printConfiguration = false

    @Option(name: .customLong("max-templates"), help: "LRU cap on templates (overrides the configuration).")
    var maxTemplates: Int?

    @Option(name: .customLong("similarity-threshold"),
            help: "Share of a template's positions a line must match to join it (overrides the configuration).")
    var similarityThreshold: Double?

    @Option(help: "Prefix-tree depth, leading tokens used = depth - 2 (overrides the configuration).")
    var depth: Int?

    @Option(name: .customLong("distinct-values"),
            help: "Distinct words at a position before it becomes a parameter, 0 = off (overrides the configuration).")
    var distinctValues: Int?

    @Option(name: .customLong("learned-positions"),
            help: "Positions a line may differ at and still teach the template (overrides the configuration).")
    var learnedPositions: Int?

    @Option(name: .customLong("snapshot"), help: "Write the miner state to this file at the end.")
    var snapshotPath: String?

    @Argument(help: "Log files; lines are numbered from 1 across all of them.")
    var files: [String] = []

    func validate() throws {
        if files.isEmpty && !printConfiguration { throw ValidationError("Name at least one log file.") }
    }

    /// The file's `[miner]` table (or the defaults), then the options given.
    func minerConfiguration() throws -> MinerConfiguration {
        var configuration = try configPath.map { try RationdConfiguration(contentsOf: $0).miner } ?? .default
        if let maxTemplates { configuration.maxTemplates = maxTemplates }
        if let similarityThreshold { configuration.similarityThreshold = similarityThreshold }
        if let depth { configuration.depth = depth }
        if let distinctValues { configuration.distinctValuesForParameter = distinctValues }
        if let learnedPositions { configuration.maxLearnedPositions = learnedPositions }
        try configuration.validate()
        return configuration
    }

    func run() throws {
        let configuration = try minerConfiguration()
        if printConfiguration {
            print(MinerConfigurationText.render(configuration), terminator: "")
            return
        }
        let output = json ? OutputFormat.jsonl : output
        let format = try logFormat.map { try LogFormat($0) }
        var miner = TemplateMiner(configuration: configuration)
        // Lines keep the ids of templates the cap evicts later; their words are kept to name them.
        miner.keepsEvictedTemplates = true
        // One id per line (8 bytes), not the input: ids resolve to their final template at the end.
        var ids: [TemplateID] = []
        var parameters: [[String]] = []
        var names = TemplateTextByID()
        var unmatched = 0
        for path in files {
            try ChunkedLineReader(path: path).forEachLine { line in
                let mined: MinedLine
                if let format {
                    let text = String(decoding: line, as: UTF8.self)
                    if let content = format.content(of: text.trimmingWhitespace()) {
                        mined = miner.mine(Array(content.utf8))
                    } else {
                        unmatched += 1
                        mined = miner.mine(line)
                    }
                } else {
                    mined = miner.mine(line)
                }
                ids.append(mined.templateID)
                if output == .jsonl && !summary { parameters.append(mined.parameters) }
                for template in miner.takeEvictedTemplates() { names[template.id] = template.textBytes }
            }
        }
        ids = ids.map { miner.resolve($0) }
        for (id, text) in miner.templateTexts { names[id] = Array(text.utf8) }
        func text(_ id: TemplateID) -> String { names.text(id) }
        var out = BufferedOutput()
        if summary {
            var countByID: [Int] = []
            for id in ids {
                let i = Int(id.rawValue)
                if i >= countByID.count { countByID.append(contentsOf: repeatElement(0, count: i + 1 - countByID.count)) }
                countByID[i] += 1
            }
            var counts: [(id: Int, count: Int)] = []
            for (id, count) in countByID.enumerated() where count > 0 { counts.append((id, count)) }
            counts.sort { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }
            for (id, count) in counts {
                out.write(decimal: count)
                out.write(byte: 0x09)
                out.write(decimal: id)
                out.write(byte: 0x09)
                let bytes = names[TemplateID(UInt64(id))]
                // Printable ASCII needs no escaping (most templates); the rest goes through TerminalText.
                if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                    out.write(bytes: bytes)
                } else {
                    out.write(TerminalText.escaped(String(decoding: bytes, as: UTF8.self)))
                }
                out.write(byte: 0x0A)
            }
            out.write("# \(ids.count) lines, \(counts.count) templates\n")
        } else if output == .csv {
            out.write("line,template_id,template\n")
            // Each template's `,id,"text"` once, not per line.
            var rows: [TemplateID: [UInt8]] = [:]
            for (index, id) in ids.enumerated() {
                out.write(String(index + 1))
                if let row = rows[id] {
                    out.write(bytes: row)
                } else {
                    let row = Array(",\(id.rawValue),\(CSV.quote(text(id)))\n".utf8)
                    rows[id] = row
                    out.write(bytes: row)
                }
            }
        } else {
            for (index, id) in ids.enumerated() {
                let params = parameters[index].map(JSONText.quote).joined(separator: ",")
                out.write("{\"line\":\(index + 1),\"template_id\":\(id.rawValue),\"template\":\(JSONText.quote(text(id))),\"parameters\":[\(params)]}\n")
            }
        }
        out.flush()
        let stats = miner.statistics
        if unmatched > 0 {
            printError("rationlab parse: \(unmatched) lines did not fit the log format and were mined whole")
        }
        if stats.evictions > 0 || stats.cappedLines > 0 || stats.truncatedLines > 0 {
            printError("rationlab parse: \(stats.evictions) templates evicted (cap \(configuration.maxTemplates)), \(stats.cappedLines) lines cut at \(configuration.maxLineBytes) bytes, \(stats.truncatedLines) lines over \(configuration.maxTokens) tokens")
        }
        if let snapshotPath {
            try miner.save(to: snapshotPath)
        }
    }
}

/// An input file of `rationlab parse` that cannot be read.
struct InputFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}

func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}

/// The text of every template id a parse handed out, live or evicted, by id (ids are
/// dense from 1, so an array serves), as the UTF-8 bytes the miner had.
struct TemplateTextByID {
    private var texts: [[UInt8]] = []

    subscript(id: TemplateID) -> [UInt8] {
        get { Int(id.rawValue) < texts.count ? texts[Int(id.rawValue)] : [] }
        set {
            let i = Int(id.rawValue)
            if i >= texts.count { texts.append(contentsOf: repeatElement([], count: i + 1 - texts.count)) }
            texts[i] = newValue
        }
    }

    /// The text, invalid UTF-8 repaired.
    func text(_ id: TemplateID) -> String { String(decoding: self[id], as: UTF8.self) }
}

/// stdout through one large buffer.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func write(byte: UInt8) {
        buffer.append(byte)
    }

    /// A non-negative integer in decimal, without going through a String.
    mutating func write(decimal value: Int) {
        let start = buffer.count
        var v = UInt(value)
        repeat {
            buffer.append(UInt8(truncatingIfNeeded: v % 10) + 0x30)
            v /= 10
        } while v > 0
        buffer[start...].reverse()
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

enum CSV {
    /// Always quoted; inner quotes doubled.
    static func quote(_ field: String) -> String {
        "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
