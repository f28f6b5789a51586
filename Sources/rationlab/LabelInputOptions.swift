import AlertStore
import ArgumentParser
import Calibration
import Configuration
import Foundation
import Pipeline
import RationCore
import Reasoning

/// Where `rationlab distill` and `rationlab export` read expert labels: a labelled template CSV,
/// and the daemon's state (template labels are verdict cache overrides in
/// `<state>/verdicts.cache`; alert labels are in the alert store). Read offline, without the
/// daemon: both files are written atomically, and the store opens read-only.
struct LabelInputOptions: ParsableArguments {
    @Option(name: .customLong("labels-csv"), help: ArgumentHelp("Labelled templates, CSV with a template column (log, EventTemplate, template or Content) and --label-column (0/1).", valueName: "file"))
    var labelsCSV: String?

    @Option(name: .customLong("label-column"), help: ArgumentHelp("Column of --labels-csv holding 0 (normal) or 1 (abnormal).", valueName: "name"))
    var labelColumn = "label_rectified"

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("The daemon's state directory: operator labels from verdicts.cache and the alert store (<dir>/alerts).", valueName: "dir"))
    var stateDirectory: String?

    /// The root command's `--config` (`rationd … --config FILE`): the daemon's state directory
    /// and store are read as with --state-dir.
    func hasSource(config: String?) -> Bool { labelsCSV != nil || stateDirectory != nil || config != nil }

    /// The daemon's settings when --config is given.
    func settings(config: String?) throws -> PipelineSettings? {
        guard let config else { return nil }
        do { return try PipelineSettings(try RationdConfiguration(contentsOf: config), environment: [:]) } catch {
            throw ValidationError("\(error)")
        }
    }

    /// One label per template text: CSV labels, then alert labels, then template labels (each
    /// later source wins). Notes about what was read go to `note`.
    func load(config: String?, note: (String) -> Void) throws -> [TemplateLabel] {
        var sources: [[TemplateLabel]] = []
        if let labelsCSV {
            do { sources.append(try TemplateLabels.csv(path: labelsCSV, column: labelColumn)) } catch {
                throw ValidationError(error.description)
            }
            note("\(labelsCSV): \(sources.last!.count) labelled templates")
        }
        let settings = try settings(config: config)
        if let state = stateDirectory ?? settings?.stateDirectory {
            let storeDirectory = settings?.store.directory ?? state + "/alerts"
            sources.append(try alertLabels(storeDirectory, note: note))
            sources.append(try templateLabels(state + "/verdicts.cache", note: note))
        }
        return TemplateLabels.merge(sources)
    }

    private func alertLabels(_ directory: String, note: (String) -> Void) throws -> [TemplateLabel] {
        guard FileManager.default.fileExists(atPath: directory) else {
            note("\(directory): no alert store; no alert labels")
            return []
        }
        var alerts: [Alert] = []
        do {
            let store = try AlertStore.openReadOnly(directory: directory)
            defer { store.close() }
            for label in [Verdict.Label.normal, .abnormal] {
                alerts += try store.query(AlertQuery(operatorLabel: label, limit: Int.max))
            }
        } catch {
            throw ValidationError("\(directory): cannot read the alert store: \(error)")
        }
        let (labels, unattributed) = TemplateLabels.alerts(alerts)
        note("\(directory): \(alerts.count) labelled alerts, \(labels.count) template labels"
            + (unattributed > 0 ? ", \(unattributed) abnormal multi-template alerts not attributable to one template (label the template with `rationctl label template`)" : ""))
        return labels
    }

    private func templateLabels(_ path: String, note: (String) -> Void) throws -> [TemplateLabel] {
        guard FileManager.default.fileExists(atPath: path) else {
            note("\(path): no verdict cache; no template labels")
            return []
        }
        let cache: VerdictCache
        do { cache = try VerdictCache.open(path: path) } catch { throw ValidationError(error.description) }
        var info = stat()
        let time = stat(path, &info) == 0 ? Double(info.st_mtim.tv_sec) : Date().timeIntervalSince1970
        let labels = TemplateLabels.overrides(cache.operatorOverrides, time: time)
        note("\(path): \(labels.count) operator template labels")
        return labels
    }
}
