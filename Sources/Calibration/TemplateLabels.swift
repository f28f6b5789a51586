import Foundation
import RationCore
import Reasoning

/// Reads expert labels from the places they live: a labelled template CSV, the daemon's
/// verdict cache overrides (`rationctl label template`) and its labelled alerts
/// (`rationctl label alert`). Pure functions over already-read values, except the CSV reader.
public enum TemplateLabels {
    /// A CSV with a header naming `column` (0 normal, 1 abnormal) and a template column (`log`,
    /// `EventTemplate`, `template` or `Content`), e.g. LogPrompt's BGL labels. Such files carry
    /// no time: row order stands for it (row n has time n), so the split keeps the file order.
    public static func csv(path: String, column: String) throws(CalibrationError) -> [TemplateLabel] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .io(path: path, reason: "cannot read as UTF-8 text: \(error.localizedDescription)")
        }
        var rows = CSVReader.rows(text)
        guard !rows.isEmpty else { throw .badRecord(source: path, line: 1, reason: "empty file") }
        let header = rows.removeFirst().map { $0.trimmedWhitespace() }
        guard let labelIndex = header.firstIndex(of: column) else {
            throw .badRecord(source: path, line: 1, reason: "no column \(column) in header \(header.joined(separator: ","))")
        }
        guard let textIndex = header.firstIndex(where: { ["log", "EventTemplate", "template", "Content"].contains($0) }) else {
            throw .badRecord(source: path, line: 1, reason: "no template column (log, EventTemplate, template, Content) in \(header.joined(separator: ","))")
        }
        var labels: [TemplateLabel] = []
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count > max(labelIndex, textIndex) else {
                throw .badRecord(source: path, line: offset + 2, reason: "expected \(header.count) fields, found \(row.count)")
            }
            let value = row[labelIndex].trimmedWhitespace()
            guard value == "0" || value == "1" else {
                throw .badRecord(source: path, line: offset + 2, reason: "\(column) is \"\(value.prefix(40))\", expected 0 or 1")
            }
            let template = row[textIndex].trimmedWhitespace()
            guard !template.isEmpty else { throw .badRecord(source: path, line: offset + 2, reason: "empty template") }
            labels.append(TemplateLabel(time: Double(offset + 1), template: template, label: value == "1" ? .abnormal : .normal,
                                        origin: .file))
        }
        return labels
    }

    /// Operator template labels from the verdict cache. Overrides carry no time; they all get
    /// `time` (the cache file's modification time), so they sort after older labels.
    public static func overrides(_ overrides: [VerdictCache.Override], time: Double) -> [TemplateLabel] {
        overrides.map { TemplateLabel(time: time, template: $0.templateText, label: $0.label, note: $0.note, origin: .template) }
    }

    /// Template labels implied by labelled alerts. A window labelled normal makes each of its
    /// templates normal. A window labelled abnormal says which template is at fault only when
    /// it has one distinct template; other abnormal windows are returned as `unattributed`
    /// (label the template itself with `rationctl label template`).
    public static func alerts(_ alerts: [Alert]) -> (labels: [TemplateLabel], unattributed: Int) {
        var labels: [TemplateLabel] = []
        var unattributed = 0
        for alert in alerts {
            guard let label = alert.operatorLabel else { continue }
            let texts = alert.window.distinctTemplates.compactMap { alert.window.templates[$0] }
            let time = Double(label.time.microsecondsSinceEpoch) / 1e6
            if label.label == .abnormal, texts.count != 1 {
                unattributed += 1
                continue
            }
            for text in texts where !text.trimmedWhitespace().isEmpty {
                labels.append(TemplateLabel(time: time, template: text, label: label.label, note: label.note, origin: .alert))
            }
        }
        return (labels, unattributed)
    }

    /// One label per template text. Sources are given oldest authority first: a later source
    /// wins over an earlier one; within a source the newest label wins. The result keeps the
    /// winning label's time and is ordered by time, then template text.
    public static func merge(_ sources: [[TemplateLabel]]) -> [TemplateLabel] {
        var winner: [String: TemplateLabel] = [:]
        for source in sources {
            var local: [String: TemplateLabel] = [:]
            for label in source where (local[label.template]?.time ?? -.infinity) <= label.time {
                local[label.template] = label
            }
            winner.merge(local) { _, new in new }
        }
        return winner.values.sorted { ($0.time, $0.template) < ($1.time, $1.template) }
    }
}
