import Foundation
import RationCore

/// Reads `reasoning.few_shot_file`: a CSV of labelled templates used as few-shot examples.
/// The header names a template column (`template`, `log` or `EventTemplate`), a label column
/// (`label_rectified` preferred over `label`; values `normal`/`abnormal` or `0`/`1`) and
/// optionally an analysis column (`analysis` or `note`). LogPrompt's BGL template labels
/// (`log,label,label_rectified`) read as they are.
public enum FewShotFile {
    public static func load(path: String) throws(ReasoningError) -> [LabelledExample] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .labels(path: path, line: 0, detail: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, path: path)
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
        var examples: [LabelledExample] = []
        var seen: [String: (index: Int, line: Int)] = [:]
        // Row n is on line n + 2 unless an earlier quoted field spans lines.
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].trimmingWhitespace().isEmpty) {
            let line = offset + 2
            guard row.count > max(textIndex, labelIndex, analysisIndex ?? 0) else {
                throw .labels(path: path, line: line, detail: "expected \(header.count) fields, found \(row.count)")
            }
            let template = row[textIndex].trimmingWhitespace()
            guard !template.isEmpty else { throw .labels(path: path, line: line, detail: "empty template") }
            let value = row[labelIndex].trimmingWhitespace().lowercased()
            let label: Verdict.Label
            switch value {
            case "1", "abnormal": label = .abnormal
            case "0", "normal": label = .normal
            default:
                throw .labels(path: path, line: line,
                              detail: "\(header[labelIndex]) is \"\(value.prefix(40))\", expected normal, abnormal, 0 or 1")
            }
            if let earlier = seen[template] {
                guard examples[earlier.index].label == label else {
                    throw .labels(path: path, line: line, detail: "template labelled \(examples[earlier.index].label.rawValue) on line \(earlier.line) is \(label.rawValue) here")
                }
                continue
            }
            seen[template] = (examples.count, line)
            examples.append(LabelledExample(templateText: template, label: label,
                                            analysis: analysisIndex.map { row[$0] }, origin: .file))
        }
        return examples
    }
}
