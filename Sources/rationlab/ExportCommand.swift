import ArgumentParser
import Calibration
import Foundation
import RationCore

/// `rationlab export`: fine-tuning data from expert labels.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export expert-labelled data for fine-tuning.",
        subcommands: [ExportSFTCommand.self, ExportRLCommand.self]
    )
}

/// `rationlab export sft`: chat-messages JSONL with a chronological train/validation split.
struct ExportSFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Write train.jsonl and validation.jsonl (chat messages) from labelled templates.",
        discussion: """
            Input, either --from: JSON lines {"time": Unix seconds or ISO 8601, "template": …, \
            "label": "normal"|"abnormal", "analysis": …} (`rationlab distill` output is such a file); \
            or labels from --labels-csv/--state-dir/--config joined by template text with the \
            analyses of --analyses (a `rationlab distill` output; an analysis distilled for another \
            label than the current one is stale and not used; labels without an analysis are \
            counted and left out). The newest --validation-fraction of the examples (by time) go \
            to validation. Unreadable lines are reported on stderr by line number and skipped; the \
            exit status is then 1.
            """
    )

    @Option(name: .customLong("from"), help: "Labelled templates with analyses, JSONL.")
    var from: String?

    @OptionGroup var labels: LabelInputOptions

    /// `--config` belongs to the root command.
    @ParentCommand var root: Rationlab

    @OptionGroup var output: ExportOutputOptions

    func run() throws {
        let export: SFTExport
        do { export = try SFTExport(validationFraction: output.validationFraction) } catch { throw ValidationError(error.description) }
        var items: [LabelledTemplate] = []
        var skipped = 0
        switch (from, labels.hasSource(config: root.config)) {
        case (nil, false): throw ValidationError("give --from, or label sources (--labels-csv, --state-dir, --config) with --analyses")
        case (.some, true): throw ValidationError("--from already holds labels; do not combine it with --labels-csv, --state-dir or --config")
        case let (.some(from), false):
            guard let text = try? String(contentsOfFile: from, encoding: .utf8) else {
                throw ValidationError("\(from): cannot read the file as UTF-8 text")
            }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy(\.isWhitespace) {
                do {
                    items.append(try LabelledTemplate.decode(String(line), source: from, lineNumber: index + 1))
                } catch {
                    skipped += 1
                    printError("rationlab export sft: skipped \(error.description)")
                }
            }
        case (nil, true):
            guard let analyses = output.analyses else { throw ValidationError("--analyses is required with label sources: SFT needs an analysis per example") }
            let all = try labels.load(config: root.config) { printError("rationlab export sft: \($0)") }
            let references: [String: DistilledAnalysis]
            do { references = try Distiller.analyses(path: analyses) } catch { throw ValidationError(error.description) }
            let joined = TemplateLabel.withAnalyses(all, references)
            items = joined.items
            printError("rationlab export sft: \(all.count) labels, \(joined.items.count) with an analysis, \(joined.missing) without (run rationlab distill for them)")
        }
        let split = export.split(items)
        try Self.write([("train.jsonl", split.train.map { $0.jsonLine() }),
                        ("validation.jsonl", split.validation.map { $0.jsonLine() })], to: output.outputDirectory)
        print(Self.describe("train", split.train.count, split.trainBalance))
        print(Self.describe("validation", split.validation.count, split.validationBalance))
        if skipped > 0 {
            printError("rationlab export sft: \(skipped) line(s) skipped")
            throw ExitCode(1)
        }
    }

    static func write(_ files: [(name: String, lines: [String])], to directory: String) throws {
        do {
            try DurableFile.makeDirectories(directory)
            for (name, lines) in files {
                try DurableFile.write(Array(lines.map { $0 + "\n" }.joined().utf8), to: directory + "/" + name)
            }
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func describe(_ name: String, _ count: Int, _ balance: [Verdict.Label: Int]) -> String {
        let abnormal = balance[.abnormal] ?? 0, normal = balance[.normal] ?? 0
        let share = count == 0 ? 0 : Double(abnormal) / Double(count) * 100
        return "\(name): \(count) examples, \(normal) normal, \(abnormal) abnormal (\(String(format: "%.1f", share))% abnormal)"
    }
}

/// `rationlab export rl`: GRPO prompts with label and reference analysis.
struct ExportRLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "Write rl-train.jsonl and rl-validation.jsonl (prompts with label and reference) from labelled templates.",
        discussion: """
            One JSON line per labelled template: {"prompt": [system, user messages as the daemon \
            sends them], "label": "normal"|"abnormal", "reference": the distilled analysis from \
            --analyses or null, "time": …}. The reward of a completion for such a line is \
            `rationlab reward` on {"completion", "label", "reference"}. Same chronological split as \
            `export sft`.
            """
    )

    @OptionGroup var labels: LabelInputOptions

    /// `--config` belongs to the root command.
    @ParentCommand var root: Rationlab

    @OptionGroup var output: ExportOutputOptions

    func run() throws {
        guard labels.hasSource(config: root.config) else { throw ValidationError("give --labels-csv, --state-dir or --config") }
        let export: RLExport
        do { export = try RLExport(validationFraction: output.validationFraction) } catch { throw ValidationError(error.description) }
        let all = try labels.load(config: root.config) { printError("rationlab export rl: \($0)") }
        var references: [String: DistilledAnalysis] = [:]
        if let analyses = output.analyses {
            do { references = try Distiller.analyses(path: analyses) } catch { throw ValidationError(error.description) }
        }
        let split = export.split(all, references: references)
        try ExportSFTCommand.write([("rl-train.jsonl", split.train.map { $0.jsonLine() }),
                                    ("rl-validation.jsonl", split.validation.map { $0.jsonLine() })], to: output.outputDirectory)
        for (name, examples) in [("train", split.train), ("validation", split.validation)] {
            var balance: [Verdict.Label: Int] = [.normal: 0, .abnormal: 0]
            for example in examples { balance[example.label, default: 0] += 1 }
            print(ExportSFTCommand.describe(name, examples.count, balance)
                + ", \(examples.filter { $0.reference != nil }.count) with a reference")
        }
    }
}

/// What both exports take besides their label sources.
struct ExportOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Distilled analyses (rationlab distill output) for the labels: the assistant turns of sft, the references of rl.",
                               valueName: "file"))
    var analyses: String?

    @Option(name: .customLong("output-dir"), help: "Directory for the train and validation JSONL files.")
    var outputDirectory: String = "."

    @Option(name: .customLong("validation-fraction"), help: "Share of the newest examples held out for validation, in [0, 1).")
    var validationFraction: Double = 0.1
}
