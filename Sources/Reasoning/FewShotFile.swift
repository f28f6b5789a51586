import Foundation
import RationCore

/// Reads `reasoning.few_shot_file`: labelled templates used as few-shot examples.
///
/// CSV: the header names a template column (`template`, `log` or `EventTemplate`), a label
/// column (`label_rectified` preferred over `label`; values `normal`/`abnormal` or `0`/`1`) and
/// optionally an analysis column (`analysis` or `note`). LogPrompt's BGL template labels
/// (`log,label,label_rectified`) read as they are.
///
/// JSON lines (a path ending in `.jsonl`): one object per line with `template`, `label` and
/// optionally `analysis` (other keys such as `time` are ignored) — the labelled-template
/// format of `rationlab export sft` and the output of `rationlab distill`, so distilled analyses
/// become the examples' reasoning. The last line about a template stands.
public enum FewShotFile {
    public static func load(path: String) throws(ReasoningError) -> [LabelledExample] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .labels(path: path, line: 0, detail: "cannot read: \(error.localizedDescription)")
        }
        return path.hasSuffix(".jsonl") ? try parseJSONLines(text, path: path) : try parse(text, path: path)
    }

    /// Parses JSON lines; errors name `path` and the line. Blank lines are skipped.
    public static func parseJSONLines(_ text: String, path: String) throws(ReasoningError) -> [LabelledExample] {
        struct Row: Decodable { var template: String?; var label: String?; var analysis: String? }
        var rows: [(line: Int, template: String, label: String, analysis: String?)] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !String(line).trimmingWhitespace().isEmpty {
            let row: Row
            do { row = try JSONDecoder().decode(Row.self, from: Data(line.utf8)) } catch {
                throw .labels(path: path, line: offset + 1, detail: "not a JSON object with string keys template, label, analysis")
            }
            guard let template = row.template?.trimmingWhitespace(), !template.isEmpty else {
                throw .labels(path: path, line: offset + 1, detail: "missing or empty \"template\"")
            }
            guard let label = row.label else { throw .labels(path: path, line: offset + 1, detail: "missing \"label\"") }
            rows.append((offset + 1, template, label, row.analysis))
        }
        return try collect(rows, labelName: "label", laterWins: true, path: path)
    }

    /// Parses the file's text; errors name `path` and the line.
    public static func parse(_ text: String, path: String) throws(ReasoningError) -> [LabelledExample] {
        var rows = CSVReader.rows(text)
        guard !rows.isEmpty else { throw .labels(path: path, line: 1, detail: "empty file") }
        let header = rows.removeFirst().map { $0.trimmingWhitespace() }
        guard let textIndex = header.firstIndex(where: { ["template", "log", "EventTemplate"].contains($0) }) else {
            throw .labels(path: path, line: 1, detail: "no template column (template, log, EventTemplate) in \(header)")
        }
        guard let labelIndex = header.firstIndex(of: "label_rectified") ?? header.firstIndex(of: "label") else {
            throw .labels(path: path, line: 1, detail: "no label column (label_rectified, label) in \(header)")
        }
        let analysisIndex = header.firstIndex(of: "analysis") ?? header.firstIndex(of: "note")
        var collected: [(line: Int, template: String, label: String, analysis: String?)] = []
        // Row n is on line n + 2 unless an earlier quoted field spans lines.
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].trimmingWhitespace().isEmpty) {
            let line = offset + 2
            guard row.count > max(textIndex, labelIndex, analysisIndex ?? 0) else {
                throw .labels(path: path, line: line, detail: "expected \(header.count) fields, found \(row.count)")
            }
            let template = row[textIndex].trimmingWhitespace()
            guard !template.isEmpty else { throw .labels(path: path, line: line, detail: "empty template") }
            collected.append((line, template, row[labelIndex], analysisIndex.map { row[$0] }))
        }
        return try collect(collected, labelName: header[labelIndex], laterWins: false, path: path)
    }

    /// Checks labels and repeats. A repeated template with the same label is read once; with
    /// another label it is an error naming both lines, unless `laterWins` (JSON lines are
    /// appended over time, as `rationlab distill` does: the last line about a template stands).
    private static func collect(_ rows: [(line: Int, template: String, label: String, analysis: String?)], labelName: String,
                                laterWins: Bool, path: String) throws(ReasoningError) -> [LabelledExample] {
        var examples: [LabelledExample] = []
        var seen: [String: (index: Int, line: Int)] = [:]
        for row in rows {
            let value = row.label.trimmingWhitespace().lowercased()
            let label: Verdict.Label
            switch value {
            case "1", "abnormal": label = .abnormal
            case "0", "normal": label = .normal
            default:
                throw .labels(path: path, line: row.line,
                              detail: "\(labelName) is \"\(value.prefix(40))\", expected normal, abnormal, 0 or 1")
            }
            if let earlier = seen[row.template] {
                if laterWins {
                    examples[earlier.index] = LabelledExample(templateText: row.template, label: label, analysis: row.analysis,
                                                              origin: .file)
                    continue
                }
                guard examples[earlier.index].label == label else {
                    throw .labels(path: path, line: row.line,
                                  detail: "template labelled \(examples[earlier.index].label.rawValue) on line \(earlier.line) is \(label.rawValue) here")
                }
                continue
            }
            seen[row.template] = (examples.count, row.line)
            examples.append(LabelledExample(templateText: row.template, label: label, analysis: row.analysis, origin: .file))
        }
        return examples
    }
}
