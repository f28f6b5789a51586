import Foundation
import RationCore

/// Persisting what triage has learned, so a restart neither forgets the baseline nor warms up
/// again. The snapshot is versioned JSON with every table sorted: the same state always gives
/// the same bytes. The configuration is not part of it (it may change across restarts).
extension Triage {
    static let snapshotFormat = "rationd-triage"
    static let snapshotVersion = 1

    struct Snapshot: Codable {
        var format: String
        var version: Int
        var windows: Int
        var templateIntroductions: Int
        var windowsWithNewTransition: Int
        var windowsWithNewSignature: Int
        /// [id, windows, severeWindows] and, aligned, [countSum, countSquareSum].
        var templates: [[UInt64]]
        var templateCounts: [[Double]]
        /// [previous, next, windows]
        var transitions: [[UInt64]]
        /// [signature, windows]
        var signatures: [[UInt64]]
        var sources: [SourceEntry]
        var budgetTokens: Double
        var budgetLast: EventTime?
        var statistics: TriageStatistics
    }

    struct SourceEntry: Codable {
        var source: SourceID
        var windows: Int
        var rate: Double
    }

    /// The learned state as bytes (write them with `DurableFile`).
    public func snapshot() throws(TriageError) -> [UInt8] {
        let templates = model.templates.sorted { $0.key < $1.key }
        let snapshot = Snapshot(
            format: Self.snapshotFormat, version: Self.snapshotVersion, windows: model.windows,
            templateIntroductions: model.templateIntroductions,
            windowsWithNewTransition: model.windowsWithNewTransition,
            windowsWithNewSignature: model.windowsWithNewSignature,
            templates: templates.map { [$0.key.rawValue, UInt64($0.value.windows), UInt64($0.value.severeWindows)] },
            templateCounts: templates.map { [$0.value.countSum, $0.value.countSquareSum] },
            transitions: model.transitions.sorted { $0.key < $1.key }.map { [$0.key.previous, $0.key.next, UInt64($0.value)] },
            signatures: model.signatures.sorted { $0.key < $1.key }.map { [$0.key, UInt64($0.value)] },
            sources: model.sources.sorted { $0.key < $1.key }.map {
                SourceEntry(source: $0.key, windows: $0.value.windows, rate: $0.value.rate)
            },
            budgetTokens: budget.tokens, budgetLast: budget.last, statistics: statistics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(snapshot))
        } catch {
            throw .corruptSnapshot(reason: "cannot encode: \(error)")
        }
    }

    /// Restores a state written by `snapshot()`, to run under `configuration`.
    public init(snapshot bytes: [UInt8], configuration: TriageConfiguration = .default) throws(TriageError) {
        try self.init(configuration: configuration)
        let snapshot: Snapshot
        do {
            snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(bytes))
        } catch {
            throw .corruptSnapshot(reason: "\(error)")
        }
        guard snapshot.format == Self.snapshotFormat else {
            throw .corruptSnapshot(reason: "format is '\(snapshot.format)', expected '\(Self.snapshotFormat)'")
        }
        guard snapshot.version <= Self.snapshotVersion else {
            throw .unsupportedSnapshotVersion(found: snapshot.version, supported: Self.snapshotVersion)
        }
        guard snapshot.templates.count == snapshot.templateCounts.count else {
            throw .corruptSnapshot(reason: "templates (\(snapshot.templates.count)) and templateCounts (\(snapshot.templateCounts.count)) differ in length")
        }
        var model = TriageModel()
        model.windows = snapshot.windows
        model.templateIntroductions = snapshot.templateIntroductions
        model.windowsWithNewTransition = snapshot.windowsWithNewTransition
        model.windowsWithNewSignature = snapshot.windowsWithNewSignature
        for (k, row) in snapshot.templates.enumerated() {
            let counts = snapshot.templateCounts[k]
            guard row.count == 3, counts.count == 2 else {
                throw .corruptSnapshot(reason: "template entry \(k) has the wrong shape")
            }
            model.templates[TemplateID(row[0])] = .init(windows: Int(row[1]), countSum: counts[0],
                                                        countSquareSum: counts[1], severeWindows: Int(row[2]))
        }
        for (k, row) in snapshot.transitions.enumerated() {
            guard row.count == 3 else { throw .corruptSnapshot(reason: "transition entry \(k) has the wrong shape") }
            model.transitions[.init(previous: row[0], next: row[1])] = Int(row[2])
        }
        for (k, row) in snapshot.signatures.enumerated() {
            guard row.count == 2 else { throw .corruptSnapshot(reason: "signature entry \(k) has the wrong shape") }
            model.signatures[row[0]] = Int(row[1])
        }
        for entry in snapshot.sources {
            model.sources[entry.source] = .init(windows: entry.windows, rate: entry.rate)
        }
        self.model = model
        budget.restore(tokens: snapshot.budgetTokens, last: snapshot.budgetLast)
        statistics = snapshot.statistics
        refreshUsualTemplates()
    }
}
