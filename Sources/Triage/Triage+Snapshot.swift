import Foundation
import RationCore

/// Persisting what triage has learned, so a restart neither forgets the baseline nor warms up
/// again. The snapshot is versioned JSON with every table sorted: the same state always gives
/// the same bytes. The configuration is not part of it (it may change across restarts).
extension Triage {
    static let snapshotFormat = "rationd-triage"
    /// 2: one baseline per source. 1 (one baseline for all sources) still loads: each of its
    /// sources starts from the shared baseline, as it was judged before.
    static let snapshotVersion = 2

    struct Header: Codable {
        var format: String
        var version: Int
    }

    struct Snapshot: Codable {
        var format: String
        var version: Int
        var baselines: [Baseline]
        var budgetTokens: Double
        var budgetLast: EventTime?
        var statistics: TriageStatistics
    }

    /// One source's baseline.
    struct Baseline: Codable {
        var source: SourceID
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
        /// The source's usual event rate (absent until one window was learned).
        var rateWindows: Int
        var rate: Double
    }

    /// Version 1: one baseline shared by all sources, with each source's rate.
    struct SnapshotV1: Codable {
        var windows: Int
        var templateIntroductions: Int
        var windowsWithNewTransition: Int
        var windowsWithNewSignature: Int
        var templates: [[UInt64]]
        var templateCounts: [[Double]]
        var transitions: [[UInt64]]
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
        let snapshot = Snapshot(
            format: Self.snapshotFormat, version: Self.snapshotVersion,
            baselines: baselines.sorted { $0.key < $1.key }.map { Self.encode($0.value.model, source: $0.key) },
            budgetTokens: budget.tokens, budgetLast: budget.last, statistics: statistics)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(snapshot))
        } catch {
            throw .corruptSnapshot(reason: "cannot encode: \(error)")
        }
    }

    private static func encode(_ model: TriageModel, source: SourceID) -> Baseline {
        let templates = model.templates.sorted { $0.key < $1.key }
        let rate = model.sources[source] ?? .init()
        return Baseline(
            source: source, windows: model.windows, templateIntroductions: model.templateIntroductions,
            windowsWithNewTransition: model.windowsWithNewTransition, windowsWithNewSignature: model.windowsWithNewSignature,
            templates: templates.map { [$0.key.rawValue, UInt64($0.value.windows), UInt64($0.value.severeWindows)] },
            templateCounts: templates.map { [$0.value.countSum, $0.value.countSquareSum] },
            transitions: model.transitions.sorted { $0.key < $1.key }.map { [$0.key.previous, $0.key.next, UInt64($0.value)] },
            signatures: model.signatures.sorted { $0.key < $1.key }.map { [$0.key, UInt64($0.value)] },
            rateWindows: rate.windows, rate: rate.rate)
    }

    /// Restores a state written by `snapshot()`, to run under `configuration`.
    public init(snapshot bytes: [UInt8], configuration: TriageConfiguration = .default) throws(TriageError) {
        try self.init(configuration: configuration)
        let header = try Self.decode(Header.self, bytes)
        guard header.format == Self.snapshotFormat else {
            throw .corruptSnapshot(reason: "format is '\(header.format)', expected '\(Self.snapshotFormat)'")
        }
        guard header.version <= Self.snapshotVersion else {
            throw .unsupportedSnapshotVersion(found: header.version, supported: Self.snapshotVersion)
        }
        if header.version < 2 {
            let old = try Self.decode(SnapshotV1.self, bytes)
            let shared = Baseline(
                source: "", windows: old.windows, templateIntroductions: old.templateIntroductions,
                windowsWithNewTransition: old.windowsWithNewTransition, windowsWithNewSignature: old.windowsWithNewSignature,
                templates: old.templates, templateCounts: old.templateCounts, transitions: old.transitions,
                signatures: old.signatures, rateWindows: 0, rate: 0)
            for entry in old.sources {
                var baseline = shared
                baseline.source = entry.source
                baseline.rateWindows = entry.windows
                baseline.rate = entry.rate
                try restore(baseline)
            }
            budget.restore(tokens: old.budgetTokens, last: old.budgetLast)
            statistics = old.statistics
            return
        }
        let snapshot = try Self.decode(Snapshot.self, bytes)
        for baseline in snapshot.baselines { try restore(baseline) }
        budget.restore(tokens: snapshot.budgetTokens, last: snapshot.budgetLast)
        statistics = snapshot.statistics
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(TriageError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .corruptSnapshot(reason: "\(error)")
        }
    }

    private mutating func restore(_ snapshot: Baseline) throws(TriageError) {
        let source = snapshot.source
        guard snapshot.templates.count == snapshot.templateCounts.count else {
            throw .corruptSnapshot(reason: "\(source): templates (\(snapshot.templates.count)) and templateCounts (\(snapshot.templateCounts.count)) differ in length")
        }
        guard baselines[source] == nil else { throw .corruptSnapshot(reason: "source \(source) appears twice") }
        var model = TriageModel()
        model.windows = snapshot.windows
        model.templateIntroductions = snapshot.templateIntroductions
        model.windowsWithNewTransition = snapshot.windowsWithNewTransition
        model.windowsWithNewSignature = snapshot.windowsWithNewSignature
        for (k, row) in snapshot.templates.enumerated() {
            let counts = snapshot.templateCounts[k]
            guard row.count == 3, counts.count == 2 else {
                throw .corruptSnapshot(reason: "\(source): template entry \(k) has the wrong shape")
            }
            model.templates[TemplateID(row[0])] = .init(windows: Int(row[1]), countSum: counts[0],
                                                        countSquareSum: counts[1], severeWindows: Int(row[2]))
        }
        for (k, row) in snapshot.transitions.enumerated() {
            guard row.count == 3 else { throw .corruptSnapshot(reason: "\(source): transition entry \(k) has the wrong shape") }
            model.transitions[.init(previous: row[0], next: row[1])] = Int(row[2])
        }
        for (k, row) in snapshot.signatures.enumerated() {
            guard row.count == 2 else { throw .corruptSnapshot(reason: "\(source): signature entry \(k) has the wrong shape") }
            model.signatures[row[0]] = Int(row[1])
        }
        if snapshot.rateWindows > 0 { model.sources[source] = .init(windows: snapshot.rateWindows, rate: snapshot.rate) }
        var baseline = SourceBaseline(model: model)
        baseline.refreshUsualTemplates()
        baselines[source] = baseline
    }
}
