import Evaluation
import ArgumentParser
import Foundation
import Reasoning
import RationCore
import TemplateMiner
import Triage

/// `rationlab eval reasoning`: the full pipeline on a labelled dataset — miner -> windows ->
/// triage escalation -> reasoning on escalated windows — scored per window, with the LLM cost.
/// A window is predicted abnormal when the reasoning says abnormal. The `oracle` backend
/// answers from expert template labels: it measures the pipeline's ceiling independent of
/// model quality. The run is replayed a second time against the persisted verdict cache.
struct EvalReasoningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reasoning",
        abstract: "Replay a labelled dataset through miner, triage and reasoning; print precision, recall, F1 and LLM calls.",
        discussion: """
        bgl: loghub-2k/BGL/BGL_2k.log in fixed windows (a window is anomalous when any line's label \
        is not '-'; the label column is stripped before mining). Backends: 'oracle' (answers from \
        --labels, column --label-column, matching each labelled template to the window's lines with \
        <*> as a wildcard) or an OpenAI-compatible base URL such as http://127.0.0.1:8080/v1 with --model.
        """
    )

    @Option(help: "Dataset: bgl.")
    var dataset = "bgl"

    @Option(help: "'oracle' or an OpenAI-compatible base URL (…/v1).")
    var backend = "oracle"

    @Option(help: "Model name sent to an endpoint backend.")
    var model = "default"

    @Option(name: .customLong("api-key-file"), help: "File holding the endpoint's API key.")
    var apiKeyFile: String?

    @Option(name: .customLong("data-dir"), help: "Folder holding loghub-2k/ and bgl/.")
    var dataDirectory = "../shared/datasets"

    @Option(help: "Labelled templates for the oracle (default: <data-dir>/bgl/templates_bgl_rectified.csv).")
    var labels: String?

    @Option(name: .customLong("label-column"), help: "Column of --labels holding 0/1.")
    var labelColumn = "label_rectified"

    @Option(name: .customLong("window-size"), help: "Lines per fixed window.")
    var windowSize = 20

    @Option(help: "Triage escalation threshold (bits).")
    var threshold = TriageConfiguration.default.threshold

    @Flag(name: .customLong("escalate-all"), help: "Send every window to reasoning (no triage).")
    var escalateAll = false

    @Option(help: "Verdict cache file (default: a fresh temporary file, removed afterwards).")
    var cache: String?

    @Option(name: .customLong("max-tokens"), help: "Endpoint backend: max tokens per reply.")
    var maxTokens = 512

    @Option(help: "Endpoint backend: reply constraint (none, jsonSchema, llamaGrammar).")
    var constraint = ReplyConstraint.none.rawValue

    @Option(help: "Endpoint backend: request timeout in seconds.")
    var timeout = 120

    @Option(name: .customLong("calls-per-minute"), help: "Endpoint backend: call budget.")
    var callsPerMinute = 600

    @Option(name: .customLong("max-windows"), help: "Judge at most this many escalated windows (the rest count as not predicted), e.g. for a slow local model.")
    var maxWindows: Int?

    @Option(help: "Write window,label,escalated,predicted,status CSV here.")
    var output: String?

    @Option(help: "Print up to this many missed anomalous windows and false alarms with their rationale.")
    var explain = 0

    func run() async throws {
        guard dataset == "bgl" else { throw ValidationError("unknown dataset '\(dataset)'; supported: bgl") }
        let logPath = dataDirectory + "/loghub-2k/BGL/BGL_2k.log"
        guard let log = try DurableFile.read(logPath) else { throw ValidationError("\(logPath): no such file") }
        let data = try DetectionDataset.bglWindows(log: log, windowSize: windowSize)

        let temporary = cache == nil
        let cachePath = cache ?? NSTemporaryDirectory() + "rationd-eval-reasoning-\(getpid()).json"
        defer { if temporary { try? FileManager.default.removeItem(atPath: cachePath) } }

        var configuration = ReasoningConfiguration(endpoints: [.init(baseURL: backend, model: model,
                                                                      apiKey: apiKeyFile.map(APIKeySource.file))])
        guard let replyConstraint = ReplyConstraint(rawValue: constraint) else {
            throw ValidationError("--constraint must be one of \(ReplyConstraint.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        configuration.constraint = replyConstraint
        configuration.maxTokens = maxTokens
        configuration.requestTimeout = .seconds(timeout)
        configuration.maxConcurrent = 1
        configuration.callsPerMinute = backend == "oracle" ? 1_000_000 : callsPerMinute
        configuration.rejudgeSkipped = false
        configuration.cachePath = cachePath

        if backend == "oracle" { try printLabelAgreement(log) }
        print("dataset=bgl records=\(data.records.count) windows=\(data.sessions.count) anomalous=\(data.labels.values.filter { $0 }.count) window_size=\(windowSize) backend=\(backend) escalation=\(escalateAll ? "all windows" : "triage threshold \(threshold)")")
        var previous: ReplayResult?
        for pass in 1...2 {
            let engine = try makeEngine(configuration)
            let result = try await replay(data, engine: engine)
            await engine.shutdown()
            let m = result.metrics
            print("""
                pass \(pass): precision=\(fmt(m.precision)) recall=\(fmt(m.recall)) f1=\(fmt(m.f1)) \
                (tp=\(m.truePositives) fp=\(m.falsePositives) fn=\(m.falseNegatives)) \
                escalated=\(m.escalated)/\(m.sessions) windows (\(m.escalatedAnomalies)/\(m.anomalies) anomalous)
                pass \(pass): llm_calls=\(result.statistics.calls) (window prompts \(result.statistics.windowPrompts)) distinct_templates_in_escalated_windows=\(result.escalatedTemplateTexts) (ids \(result.escalatedTemplateIDs)) \
                cache_hits=\(result.statistics.cacheHits) verified=\(result.statistics.verified) unverified=\(result.statistics.unverified) \
                skipped=\(result.statistics.skipped) tokens=\(result.statistics.promptTokens)+\(result.statistics.completionTokens) seconds=\(fmt(result.seconds))
                """)
            if pass == 1, let output { try write(result, data: data, to: output) }
            if pass == 1, explain > 0 { explainErrors(result, data: data) }
            previous = result
        }
        _ = previous
    }

    struct ReplayResult {
        var metrics: DetectionMetrics
        var statistics: ReasoningStatistics
        var escalatedTemplateTexts: Int
        var escalatedTemplateIDs: Int
        var verdicts: [String: Verdict]
        var escalated: Set<String>
        var seconds: Double
    }

    private func makeEngine(_ configuration: ReasoningConfiguration) throws -> ReasoningEngine {
        let (cache, recovery) = VerdictCache.openRecovering(path: configuration.cachePath!, capacity: configuration.cacheSize,
                                                               maxBytes: configuration.cacheMaxBytes)
        if let recovery { print("warning: \(recovery.reason)") }
        if backend == "oracle" {
            let oracle = try OracleBackend.load(path: labelsPath, column: labelColumn)
            return ReasoningEngine(configuration: configuration, backend: oracle, model: oracle.model, cache: cache)
        }
        return try ReasoningEngine(configuration: configuration, cache: cache)
    }

    private func replay(_ data: DetectionDataset, engine: ReasoningEngine) async throws -> ReplayResult {
        let started = ContinuousClock.now
        var miner = TemplateMiner()
        var sessionizer = try Sessionizer(configuration: data.sessionizer)
        var triageConfiguration = TriageConfiguration.default
        triageConfiguration.threshold = threshold
        // As `eval detection`: learn from the first window on (BGL_2k is too short for a
        // warm-up), no hourly escalation budget (the replay compresses hours into seconds).
        triageConfiguration.warmupWindows = data.warmupWindows
        triageConfiguration.escalationBudgetPerHour = nil
        var triage = try Triage(configuration: triageConfiguration)
        var windows: [Window] = []
        for record in data.records {
            let mined = miner.mine(record.message)
            windows += sessionizer.add(record, templateID: mined.templateID, templateText: miner.template(for: mined.templateID) ?? "")
        }
        windows += sessionizer.flush()

        var verdicts: [String: Verdict] = [:]
        var escalated = Set<String>()
        var texts = Set<String>()
        var ids = Set<TemplateID>()
        for window in windows {
            let suspicion = triage.assess(window)
            guard escalateAll || suspicion.escalated else { continue }
            if let maxWindows, verdicts.count >= maxWindows { continue }
            escalated.insert(window.key.rawValue)
            for id in window.distinctTemplates {
                ids.insert(id)
                texts.insert(window.templates[id] ?? "")
            }
            verdicts[window.key.rawValue] = await engine.judge(window, suspicion: suspicion)
        }
        let predicted = Set(verdicts.filter { $0.value.label == .abnormal }.keys)
        let metrics = DetectionMetrics(labels: data.labels, predicted: predicted, escalated: escalated)
        return ReplayResult(metrics: metrics, statistics: await engine.statistics, escalatedTemplateTexts: texts.count,
                            escalatedTemplateIDs: ids.count, verdicts: verdicts, escalated: escalated,
                            seconds: (ContinuousClock.now - started).secondsValue)
    }

    private func write(_ result: ReplayResult, data: DetectionDataset, to path: String) throws {
        var csv = "window,label,escalated,predicted,status\n"
        for session in data.sessions {
            let verdict = result.verdicts[session]
            let status: String
            switch verdict?.status {
            case nil: status = "not escalated"
            case .verified?: status = "verified"
            case .operatorOverride?: status = "override"
            case .unverified?: status = "unverified"
            case .skipped?: status = "skipped"
            }
            csv += "\(session),\(data.labels[session]! ? 1 : 0),\(result.escalated.contains(session) ? 1 : 0),\(verdict?.label == .abnormal ? 1 : 0),\(status)\n"
        }
        try DurableFile.write(Array(csv.utf8), to: path)
    }

    private func explainErrors(_ result: ReplayResult, data: DetectionDataset) {
        let missed = data.sessions.filter { data.labels[$0] == true && result.verdicts[$0]?.label != .abnormal }
        let falseAlarms = data.sessions.filter { data.labels[$0] == false && result.verdicts[$0]?.label == .abnormal }
        for (title, sessions) in [("missed", missed), ("false-alarm", falseAlarms)] {
            for session in sessions.prefix(explain) {
                let rationale = result.verdicts[session]?.rationale.replacingOccurrences(of: "\n", with: " | ") ?? "not escalated"
                print("\(title) \(session): \(rationale.prefix(300))")
            }
        }
    }

    /// How far the oracle's template labels agree with the dataset's own line labels: the
    /// pipeline cannot beat the labels it is judged by.
    private func printLabelAgreement(_ log: [UInt8]) throws {
        let oracle = try OracleBackend.load(path: labelsPath, column: labelColumn)
        var agree = 0, disagree = 0, unmatched = 0
        var oracleWindows: [Bool] = [], truthWindows: [Bool] = []
        for (index, line) in String(decoding: log, as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: " ", maxSplits: 9, omittingEmptySubsequences: false)
            guard fields.count == 10 else { continue }
            let truth = fields[0] != "-"
            let label = oracle.label(of: String(fields[9]))
            if index % windowSize == 0 { oracleWindows.append(false); truthWindows.append(false) }
            truthWindows[truthWindows.count - 1] = truthWindows.last! || truth
            guard let label else { unmatched += 1; continue }
            if label.abnormal == truth { agree += 1 } else { disagree += 1 }
            oracleWindows[oracleWindows.count - 1] = oracleWindows.last! || label.abnormal
        }
        let tp = zip(oracleWindows, truthWindows).filter { $0 && $1 }.count
        let fp = zip(oracleWindows, truthWindows).filter { $0 && !$1 }.count
        let fn = zip(oracleWindows, truthWindows).filter { !$0 && $1 }.count
        let precision = Double(tp) / Double(max(1, tp + fp)), recall = Double(tp) / Double(max(1, tp + fn))
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        print("labels \(labelsPath) column \(labelColumn): lines agreeing with the dataset's line labels=\(agree) disagreeing=\(disagree) unmatched=\(unmatched); oracle on raw lines of every window (no miner, no triage): precision=\(fmt(precision)) recall=\(fmt(recall)) f1=\(fmt(f1))")
    }

    private var labelsPath: String { labels ?? dataDirectory + "/bgl/templates_bgl_rectified.csv" }

    private func fmt(_ x: Double) -> String { String(format: "%.4f", x) }
}

private extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
