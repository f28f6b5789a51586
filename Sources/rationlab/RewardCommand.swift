import ArgumentParser
import Calibration
import Foundation
import RationCore

/// `rationlab reward`: scores completions with the RationAnomaly reward (format + answer with
/// asymmetric cost + thinking quality), one JSON object per input line.
struct RewardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Score model completions against expert labels with the RationAnomaly reward.",
        discussion: """
            Input: JSON lines {"completion": …, "label": "normal"|"abnormal", "reference": …}. \
            Output: one JSON object per scored line with the total and its parts. Lines that cannot \
            be read are reported on stderr by line number and skipped; the exit status is then 1.
            """
    )

    @Option(name: .customLong("missed-anomaly-cost"), help: "Cost (≥ 0) of answering normal for an abnormal label.")
    var missedAnomalyCost: Double = RewardConfiguration.rationAnomaly.missedAnomalyCost

    @Option(name: .customLong("false-alarm-cost"), help: "Cost (≥ 0) of answering abnormal for a normal label.")
    var falseAlarmCost: Double = RewardConfiguration.rationAnomaly.falseAlarmCost

    @Argument(help: "JSONL file, or - for standard input.")
    var input: String

    struct Line: Encodable {
        var line: Int
        var reward: Double
        var format: Double
        var answer: Double
        var thinking: Double
        var outcome: CompletionReward.Outcome
        var predicted: Verdict.Label?
        var label: Verdict.Label
        var bleu: Double?
        var rougeL: Double?
        var length: Double?
    }

    func run() throws {
        var configuration = RewardConfiguration.rationAnomaly
        configuration.missedAnomalyCost = missedAnomalyCost
        configuration.falseAlarmCost = falseAlarmCost
        do { configuration = try configuration.validated() } catch { throw ValidationError(error.description) }

        let lines: [String]
        if input == "-" {
            var read: [String] = []
            while let line = readLine(strippingNewline: true) { read.append(line) }
            lines = read
        } else {
            guard let text = try? String(contentsOfFile: input, encoding: .utf8) else {
                throw ValidationError("\(input): cannot read the file as UTF-8 text")
            }
            lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let source = input == "-" ? "<stdin>" : input
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var skipped = 0
        for (index, text) in lines.enumerated() where !text.allSatisfy(\.isWhitespace) {
            do {
                let record = try RewardRecord.decode(text, source: source, lineNumber: index + 1)
                let reward = CompletionReward(completion: record.completion, label: record.label,
                                              reference: record.reference, configuration: configuration)
                let line = Line(line: index + 1, reward: reward.total, format: reward.format, answer: reward.answer,
                                thinking: reward.thinking, outcome: reward.outcome, predicted: reward.predicted,
                                label: reward.label, bleu: reward.similarity?.bleu, rougeL: reward.similarity?.rougeL,
                                length: reward.similarity?.length)
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            } catch let error as CalibrationError {
                skipped += 1
                FileHandle.standardError.write(Data("rationlab reward: skipped \(error.description)\n".utf8))
            }
        }
        if skipped > 0 {
            FileHandle.standardError.write(Data("rationlab reward: \(skipped) line(s) skipped\n".utf8))
            throw ExitCode(1)
        }
    }
}
