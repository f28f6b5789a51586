import Evaluation
import ArgumentParser
import Foundation
import RationCore
import TemplateMiner
import Triage
#if canImport(Glibc)
import Glibc
#endif

/// `rationlab eval detection`: replays a labelled dataset through miner -> sessionizer -> triage
/// as the daemon runs them and scores the verdicts per session.
struct EvalDetectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detection",
        abstract: "Replay a labelled dataset through miner, sessionizer and triage; write session,predicted,escalated CSV and print precision, recall, F1, escalation rate and escalation recall.",
        discussion: """
        Datasets (under --data-dir): hdfs100k = hdfs/hdfs100k_sessions.csv + hdfs100k_templates.csv \
        (learns over the train rows, scores the test rows); hdfs5k = hdfs/HDFS_5k.log + \
        HDFS_5k_block_labels.csv (sessions keyed by blk_…); bgl2k = loghub-2k/BGL/BGL_2k.log in fixed \
        windows (label column stripped before mining). `predicted` is the pre-filter's verdict \
        (score >= threshold after warm-up); `escalated` also passes the escalation budget.
        """
    )

    @Argument(help: "Dataset: \(DetectionDataset.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String

    @Option(name: .customLong("data-dir"), help: "Folder holding hdfs/ and loghub-2k/.")
    var dataDirectory = "../shared/datasets"

    @Option(name: .shortAndLong, help: "Write session,predicted,escalated CSV here ('-' for stdout).")
    var output: String?

    @Option(name: .customLong("labels-output"), help: "Write the scored sessions' labels (session,Label) here, for score_detection.py.")
    var labelsOutput: String?

    @Option(help: "Escalation threshold (bits).")
    var threshold = TriageConfiguration.default.threshold

    @Option(name: .customLong("warmup-windows"), help: "Windows learned before alerting (default: hdfs100k the train rows, others 0).")
    var warmupWindows: Int?

    @Option(name: .customLong("budget-per-hour"), help: "Escalations per hour of event time (default: unlimited).")
    var budgetPerHour: Int?

    @Option(name: .customLong("rare-fraction"), help: "Share of windows under which a pattern is rare.")
    var rareFraction = TriageConfiguration.default.rareFraction

    @Option(name: .customLong("severity-scores"), help: "Scores (bits) for crit-or-worse, err and warning events, as C,E,W.")
    var severityScores: String?

    @Option(name: .customLong("weight"), help: "Reason weight as KIND=VALUE (kinds: newTemplate, rareTemplate, rareTransition, countDeviation, severity, burst); repeatable.")
    var weightSettings: [String] = []

    @Option(help: "Which windows the model learns from: allWindows or unescalatedOnly.")
    var learning: String = TriageConfiguration.Learning.allWindows.rawValue

    @Option(name: .customLong("window-size"), help: "bgl2k: lines per fixed window.")
    var windowSize = 20

    @Option(name: .customLong("idle-gap"), help: "hdfs5k: close a block's session after this many idle seconds (default: at the end).")
    var idleGap: Int?

    @Option(name: .customLong("ceiling-rate"), help: "hdfs100k: also print the best escalation recall any sequence-only detector reaches at this escalation rate.")
    var ceilingRate = 0.08

    @Option(help: "Print the reasons of up to this many escalated and missed anomalous sessions and false alarms.")
    var explain = 0

    @Option(parsing: .upToNextOption, help: "Also print the pre-filter's figures at these thresholds (exact with allWindows learning, which does not depend on escalation).")
    var sweep: [Double] = []

    func run() throws {
        guard let kind = DetectionDataset.Kind(rawValue: dataset) else {
            throw ValidationError("unknown dataset '\(dataset)'; use one of \(DetectionDataset.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let learningPolicy = TriageConfiguration.Learning(rawValue: learning) else {
            throw ValidationError("--learning must be one of \(TriageConfiguration.Learning.allCases.map(\.rawValue))")
        }
        let data = try load(kind)
        var configuration = TriageConfiguration.default
        configuration.threshold = threshold
        configuration.warmupWindows = warmupWindows ?? data.warmupWindows
        configuration.escalationBudgetPerHour = budgetPerHour
        configuration.rareFraction = rareFraction
        configuration.learning = learningPolicy
        if let severityScores {
            let values = severityScores.split(separator: ",").compactMap { Double($0) }
            guard values.count == 3 else { throw ValidationError("--severity-scores: expected three numbers C,E,W") }
            (configuration.criticalScore, configuration.errorScore, configuration.warningScore) = (values[0], values[1], values[2])
        }
        for setting in weightSettings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = SuspicionReason.Kind(rawValue: parts[0]), let value = Double(parts[1]) else {
                throw ValidationError("--weight \(setting): expected KIND=NUMBER with KIND one of \(SuspicionReason.Kind.allCases.map(\.rawValue))")
            }
            configuration.weights.set(kind, value)
        }

        var miner = TemplateMiner()
        let clock = ContinuousClock()
        let start = clock.now
        let replay = try DetectionReplay.run(data, triage: configuration) { record in
            let mined = miner.mine(record.message)
            return (mined.templateID, miner.template(for: mined.templateID) ?? "")
        }
        let elapsed = clock.now - start
        let metrics = replay.metrics(data)

        if let output {
            try write(replay.predictionsCSV(sessions: data.sessions), to: output)
        }
        if let labelsOutput {
            var csv = "session,Label\n"
            for session in data.sessions { csv += "\(session),\(data.labels[session]! ? 1 : 0)\n" }
            try write(csv, to: labelsOutput)
        }

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let prefilter = DetectionMetrics(
            labels: data.labels,
            predicted: Set(data.sessions.filter { replay.outcomes[$0]?.predicted == true }),
            escalated: Set(data.sessions.filter { replay.outcomes[$0]?.predicted == true }))
        var report = """
        dataset=\(kind.rawValue) records=\(data.records.count) windows=\(replay.windows) templates=\(miner.templateCount) \
        warmup_windows=\(configuration.warmupWindows) threshold=\(configuration.threshold) \
        learning=\(configuration.learning.rawValue) budget_per_hour=\(budgetPerHour.map(String.init) ?? "unlimited") \
        seconds=\(String(format: "%.2f", seconds))
        pipeline: \(metrics)
        pre-filter alone (escalated = predicted): precision=\(fmt(prefilter.precision)) recall=\(fmt(prefilter.recall)) f1=\(fmt(prefilter.f1))

        """
        if !data.sequences.isEmpty {
            let ceiling = DetectionMetrics.ceiling(sequences: data.sequences, labels: data.labels, maxRate: ceilingRate)
            report += "ceiling: a detector that sees only the template sequence escalates at most \(ceiling.anomalies) of \(metrics.anomalies) anomalies (recall \(fmt(Double(ceiling.anomalies) / Double(max(1, metrics.anomalies))))) at escalation rate <= \(ceilingRate) (\(ceiling.escalated) sessions)\n"
            let wanted = Int((0.98 * Double(metrics.anomalies)).rounded(.up))
            if let needed = DetectionMetrics.minimumEscalations(sequences: data.sequences, labels: data.labels, anomalies: wanted) {
                report += "ceiling: escalation recall >= 0.98 (\(wanted) of \(metrics.anomalies)) needs at least \(needed) of \(metrics.sessions) sessions escalated (rate \(fmt(Double(needed) / Double(max(1, metrics.sessions)))))\n"
            }
        }
        for t in sweep {
            let m = DetectionMetrics(
                labels: data.labels,
                predicted: Set(data.sessions.filter { (replay.outcomes[$0]?.scoredScore ?? -1) >= t }),
                escalated: Set(data.sessions.filter { (replay.outcomes[$0]?.scoredScore ?? -1) >= t }))
            report += "threshold=\(t): \(m)\n"
        }
        if explain > 0 {
            let anomalous = data.sessions.filter { data.labels[$0] == true }
            let normal = data.sessions.filter { data.labels[$0] == false }
            for (title, sessions) in [("escalated", anomalous.filter { replay.outcomes[$0]?.escalated == true }),
                                      ("missed", anomalous.filter { replay.outcomes[$0]?.escalated != true }),
                                      ("false-alarm", normal.filter { replay.outcomes[$0]?.escalated == true })] {
                for session in sessions.prefix(explain) {
                    let o = replay.outcomes[session] ?? DetectionReplay.SessionOutcome()
                    report += "\(title) \(session) score=\(fmt(o.score)): \(o.reasons.prefix(3).map(\.description).joined(separator: "; "))\n"
                }
            }
        }
        FileHandleOutput.standardError(report)
    }

    private func load(_ kind: DetectionDataset.Kind) throws -> DetectionDataset {
        func read(_ relative: String) throws -> [UInt8] {
            let path = dataDirectory + "/" + relative
            guard let bytes = try DurableFile.read(path) else { throw ValidationError("\(path): no such file") }
            return bytes
        }
        switch kind {
        case .hdfsSessions:
            return try DetectionDataset.hdfsSessions(sessionsCSV: read("hdfs/hdfs100k_sessions.csv"),
                                                     templatesCSV: read("hdfs/hdfs100k_templates.csv"))
        case .hdfsLog:
            return try DetectionDataset.hdfsLog(log: read("hdfs/HDFS_5k.log"),
                                                labelsCSV: read("hdfs/HDFS_5k_block_labels.csv"),
                                                idleGap: idleGap.map { .seconds($0) })
        case .bglWindows:
            return try DetectionDataset.bglWindows(log: read("loghub-2k/BGL/BGL_2k.log"), windowSize: windowSize)
        }
    }

    private func write(_ text: String, to path: String) throws {
        if path == "-" {
            var out = BufferedOutput()
            out.write(text)
            out.flush()
        } else {
            try DurableFile.write(Array(text.utf8), to: path)
        }
    }

    private func fmt(_ x: Double) -> String { String(format: "%.4f", x) }
}

/// Summaries go to stderr so stdout can carry the CSV.
enum FileHandleOutput {
    static func standardError(_ text: String) {
        var copy = text
        copy.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
