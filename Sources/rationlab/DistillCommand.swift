import ArgumentParser
import Calibration
import Foundation
import RationCore
import Reasoning

/// `rationlab distill`: teacher analyses of expert-labelled templates (RationAnomaly §3.2),
/// kept only when the teacher's answer agrees with the label, appended to a JSONL file.
struct DistillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Ask a teacher model for step-by-step analyses of labelled templates; keep those that agree with the label.",
        discussion: """
            Labels come from --labels-csv and/or the daemon's state (--state-dir or --config: \
            operator template labels in verdicts.cache, labelled alerts in the store). The teacher \
            is --teacher/--model/--api-key-file, or the [reasoning] endpoints of --config. Kept \
            analyses are appended to --output (default <state>/distilled.jsonl) as JSON lines \
            {time, template, label, analysis, teacher, score, origin}, the input format of \
            `rationlab export sft --from`; dropped replies go to <output minus .jsonl>.dropped.jsonl \
            with the reason. A rerun skips templates already kept or dropped for the same label. \
            Exit status: 0 when the run finished (teacher failures are counted and can be retried \
            by a rerun), 1 when every request failed or the output cannot be written.
            """
    )

    @OptionGroup var labels: LabelInputOptions

    /// `--config` belongs to the root command.
    @ParentCommand var parent: Rationlab

    @Option(help: ArgumentHelp("Teacher endpoint, OpenAI-compatible base URL (…/v1); default: the [reasoning] endpoints of --config.", valueName: "url"))
    var teacher: String?

    @Option(help: ArgumentHelp("Model name sent to --teacher.", valueName: "name"))
    var model = "default"

    @Option(name: .customLong("api-key-file"), help: ArgumentHelp("File holding the teacher's API key.", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("Kept analyses, JSONL (appended; default <state>/distilled.jsonl).", valueName: "file"))
    var output: String?

    @Option(help: "Requests in flight at once.")
    var concurrency = 2

    @Option(help: "Extra attempts after a failed request (timeout, connection, 5xx, 429).")
    var retries = 2

    @Option(name: .customLong("retry-delay"), help: "Seconds before the first retry; doubles each time.")
    var retryDelay = 2.0

    @Option(help: "Seconds one request may take.")
    var timeout = 120.0

    @Option(name: .customLong("max-tokens"), help: "Most tokens of one analysis.")
    var maxTokens = 1024

    @Option(help: "Sampling temperature.")
    var temperature = 0.0

    @Option(help: "Reply constraint: none, or llamaGrammar for a llama.cpp teacher.")
    var constraint = ReplyConstraint.none.rawValue

    @Flag(name: .customLong("no-label-hint"), help: "Do not tell the teacher the expert's label; keep only analyses that reach it unaided.")
    var noLabelHint = false

    @Flag(name: .customLong("retry-dropped"), help: "Ask again about templates whose earlier reply was dropped.")
    var retryDropped = false

    @Option(help: "Use only the first N labels (oldest first); rerun with a larger N to go on.")
    var limit: Int?

    func run() async throws {
        guard labels.hasSource(config: parent.config) else { throw ValidationError("give --labels-csv, --state-dir or --config") }
        let settings = try labels.settings(config: parent.config)
        guard let output = output ?? (labels.stateDirectory ?? settings?.stateDirectory).map({ $0 + "/distilled.jsonl" }) else {
            throw ValidationError("give --output (or --state-dir/--config for <state>/distilled.jsonl)")
        }
        guard let replyConstraint = ReplyConstraint(rawValue: constraint) else {
            throw ValidationError("--constraint must be none or llamaGrammar")
        }
        guard timeout > 0, retryDelay >= 0 else { throw ValidationError("--timeout must be positive and --retry-delay not negative") }

        let pool: EndpointPool
        var reasoning: ReasoningConfiguration
        if let teacher {
            reasoning = ReasoningConfiguration(endpoints: [.init(baseURL: teacher, model: model, apiKey: apiKeyFile.map(APIKeySource.file))])
        } else if let configured = settings?.reasoning {
            reasoning = configured
        } else {
            throw ValidationError(settings == nil ? "give --teacher (or --config with a [reasoning] section)"
                                                  : "\(parent.config ?? ""): reasoning is disabled; give --teacher")
        }
        reasoning.requestTimeout = .milliseconds(Int64(timeout * 1000))
        do {
            try reasoning.validate()
            pool = try EndpointPool(configuration: reasoning)
        } catch { throw ValidationError(error.description) }

        var all = try labels.load(config: parent.config) { printError("rationlab distill: \($0)") }
        if let limit { all = Array(all.prefix(max(0, limit))) }
        let distiller: Distiller
        do {
            distiller = try Distiller(backend: pool, settings: .init(
                maxConcurrent: concurrency, retries: retries, retryDelay: .milliseconds(Int64(retryDelay * 1000)),
                temperature: temperature, maxTokens: maxTokens, constraint: replyConstraint, hintLabel: !noLabelHint,
                retryDropped: retryDropped))
        } catch { throw ValidationError(error.description) }

        let directory = (output as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do { try DurableFile.makeDirectories(directory) } catch { throw ValidationError(error.description) }
        }
        printError("rationlab distill: \(all.count) labelled templates, teacher \(reasoning.endpoints.map { "\($0.baseURL) (\($0.model))" }.joined(separator: ", ")), output \(output)")
        let progress: Distiller.Progress
        do {
            progress = try await distiller.run(labels: all, output: output, warn: { printError("rationlab distill: \($0)") }) { progress, event in
                let what: String
                switch event {
                case let .kept(template): what = "kept \(Self.short(template))"
                case let .dropped(template, reason, detail):
                    what = "dropped (\(reason == .disagrees ? "disagree" : "malformed")) \(Self.short(template)): \(detail.prefix(160))"
                case let .failed(template, error): what = "failed \(Self.short(template)): \(error.prefix(160))"
                }
                printError("rationlab distill: \(progress) | \(what)")
            }
        } catch {
            printError("rationlab distill: \(error.description)")
            throw ExitCode.failure
        }
        print("""
            labels \(progress.labels) already-distilled \(progress.alreadyDistilled) already-dropped \(progress.alreadyDropped) \
            asked \(progress.total) kept \(progress.kept) dropped-disagree \(progress.disagreed) \
            dropped-malformed \(progress.malformed) failed \(progress.failed)
            """)
        if progress.everythingFailed {
            printError("rationlab distill: every request failed; is the teacher reachable?")
            throw ExitCode.failure
        }
    }

    static func short(_ template: String) -> String {
        template.count > 60 ? "\"\(template.prefix(57))…\"" : "\"\(template)\""
    }
}
