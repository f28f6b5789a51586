import ArgumentParser
import Calibration
import Foundation
import RationCore

/// `rationd export`: fine-tuning data from expert labels.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export expert-labelled data for fine-tuning.",
        subcommands: [ExportSFTCommand.self]
    )
}

/// `rationd export sft`: chat-messages JSONL with a chronological train/validation split.
struct ExportSFTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft",
        abstract: "Write train.jsonl and validation.jsonl (chat messages) from labelled templates.",
        discussion: """
            Input: JSON lines {"time": Unix seconds or ISO 8601, "template": …, "label": "normal"|"abnormal", \
            "analysis": …}. The newest --validation-fraction of the examples (by time) go to validation. \
            Unreadable lines are reported on stderr by line number and skipped; the exit status is then 1.
            """
    )

    @Option(name: .customLong("from"), help: "Labelled templates, JSONL.")
    var from: String

    @Option(name: .customLong("output-dir"), help: "Directory for train.jsonl and validation.jsonl.")
    var outputDirectory: String = "."

    @Option(name: .customLong("validation-fraction"), help: "Share of the newest examples held out for validation, in [0, 1).")
    var validationFraction: Double = 0.1

    func run() throws {
        let export: SFTExport
        do { export = try SFTExport(validationFraction: validationFraction) } catch { throw ValidationError(error.description) }
        guard let text = try? String(contentsOfFile: from, encoding: .utf8) else {
            throw ValidationError("\(from): cannot read the file as UTF-8 text")
        }
        var items: [LabelledTemplate] = []
        var skipped = 0
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                items.append(try LabelledTemplate.decode(String(line), source: from, lineNumber: index + 1))
            } catch {
                skipped += 1
                FileHandle.standardError.write(Data("rationd export sft: skipped \(error.description)\n".utf8))
            }
        }
        let split = export.split(items)
        do {
            try DurableFile.makeDirectories(outputDirectory)
            for (name, examples) in [("train.jsonl", split.train), ("validation.jsonl", split.validation)] {
                let body = examples.map { $0.jsonLine() + "\n" }.joined()
                try DurableFile.write(Array(body.utf8), to: outputDirectory + "/" + name)
            }
        } catch {
            throw ValidationError(error.description)
        }
        func describe(_ name: String, _ count: Int, _ balance: [Verdict.Label: Int]) -> String {
            let abnormal = balance[.abnormal] ?? 0, normal = balance[.normal] ?? 0
            let share = count == 0 ? 0 : Double(abnormal) / Double(count) * 100
            return "\(name): \(count) examples, \(normal) normal, \(abnormal) abnormal (\(String(format: "%.1f", share))% abnormal)"
        }
        print(describe("train", split.train.count, split.trainBalance))
        print(describe("validation", split.validation.count, split.validationBalance))
        if skipped > 0 {
            FileHandle.standardError.write(Data("rationd export sft: \(skipped) line(s) skipped\n".utf8))
            throw ExitCode(1)
        }
    }
}
