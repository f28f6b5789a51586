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
        let rows: [LabelledTemplateFile.Row]
        do { rows = try LabelledTemplateFile.read(path: path, column: column) } catch {
            guard case let .labels(_, line, detail) = error else { throw .io(path: path, reason: error.description) }
            if line == 0 { throw .io(path: path, reason: detail) }
            throw .badRecord(source: path, line: line, reason: detail)
        }
        var labels: [TemplateLabel] = []
        for (index, row) in rows.enumerated() {
            guard !row.template.isEmpty else { throw .badRecord(source: path, line: row.line, reason: "empty template") }
            labels.append(TemplateLabel(time: Double(index + 1), template: row.template, label: row.abnormal ? .abnormal : .normal,
                                        origin: .file))
        }
        return labels
    }

    /// Operator template labels from the verdict cache, at the time each was set; labels from
    /// files written before that was kept get `time` (the cache file's modification time).
    public static func overrides(_ overrides: [VerdictCache.Override], time: Double) -> [TemplateLabel] {
        overrides.map {
            TemplateLabel(time: $0.time.map { Double($0) / 1_000_000 } ?? time, template: $0.templateText, label: $0.label,
                          note: $0.note, origin: .template)
        }
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
            for text in texts where !text.trimmingWhitespace().isEmpty {
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
