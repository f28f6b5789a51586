import RationCore
import Foundation

/// A CSV of expert-labelled templates: a header naming the label column (0 normal, 1
/// abnormal) and a template column (`log`, `EventTemplate`, `template` or `Content`), such as
/// LogPrompt's BGL labels with `label_rectified`. The oracle backend and the calibration
/// commands read the same files the same way.
public enum LabelledTemplateFile {
    public struct Row: Sendable, Hashable {
        /// 1-based line in the file (the header is line 1).
        public var line: Int
        public var template: String
        public var abnormal: Bool
    }

    public static let templateColumns = ["log", "EventTemplate", "template", "Content"]

    public static func read(path: String, column: String) throws(ReasoningError) -> [Row] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .labels(path: path, line: 0, detail: "cannot read as UTF-8 text: \(error.localizedDescription)")
        }
        return try parse(text, path: path, column: column)
    }

    public static func parse(_ text: String, path: String, column: String) throws(ReasoningError) -> [Row] {
        var rows = CSVReader.rows(text)
        guard !rows.isEmpty else { throw .labels(path: path, line: 1, detail: "empty file") }
        let header = rows.removeFirst().map { $0.trimmingWhitespace() }
        guard let labelIndex = header.firstIndex(of: column) else {
            throw .labels(path: path, line: 1, detail: "no column \(column) in header \(header.joined(separator: ","))")
        }
        guard let textIndex = header.firstIndex(where: templateColumns.contains) else {
            throw .labels(path: path, line: 1,
                          detail: "no template column (\(templateColumns.joined(separator: ", "))) in \(header.joined(separator: ","))")
        }
        var result: [Row] = []
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = offset + 2
            guard row.count > max(labelIndex, textIndex) else {
                throw .labels(path: path, line: line, detail: "expected \(header.count) fields, found \(row.count)")
            }
            let value = row[labelIndex].trimmingWhitespace()
            guard value == "0" || value == "1" else {
                throw .labels(path: path, line: line, detail: "\(column) is \"\(value.prefix(40))\", expected 0 or 1")
            }
            result.append(Row(line: line, template: row[textIndex].trimmingWhitespace(), abnormal: value == "1"))
        }
        return result
    }
}
