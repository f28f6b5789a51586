import ArgumentParser
import Foundation
import Reasoning
import RationCore

/// `rationlab eval few-shot`: what the few-shot selector would put in prompts, measured
/// leave-one-out on a labelled template file: for each template, the examples chosen from all
/// the others (its own row is never its own example). Prints coverage, examples and estimated
/// tokens per prompt against the limits, how often the most similar example carries the
/// template's own label (against the majority-class baseline), and the selection time.
struct EvalFewShotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "few-shot",
        abstract: "Leave-one-out few-shot selection on labelled templates: coverage, token cost, label agreement, time."
    )

    @Option(help: "Labelled templates (the few_shot_file format).")
    var labels = "../shared/datasets/bgl/templates_bgl_rectified.csv"

    @Option(help: "reasoning.few_shot_examples")
    var examples = 3

    @Option(name: .customLong("max-tokens"), help: "reasoning.few_shot_max_tokens")
    var maxTokens = 400

    func run() throws {
        let rows = try FewShotFile.load(path: labels)
        let selector = FewShotSelector(configuration: .init(maxExamples: examples, maxTokens: maxTokens),
                                       instruction: PromptSet.rationAnomaly.templateInstruction, examples: rows)
        let clock = ContinuousClock()
        var chosen: [[LabelledExample]] = []
        chosen.reserveCapacity(rows.count)
        let elapsed = clock.measure { for row in rows { chosen.append(selector.select(for: row.templateText)) } }
        let repeatable = rows.indices.allSatisfy { selector.select(for: rows[$0].templateText) == chosen[$0] }

        var covered = 0, nearestAgrees = 0, voteAgrees = 0, exampleCount = 0, tokens = 0, maxSeen = 0, maxCount = 0
        var abnormal = 0, abnormalNearest = 0
        for (row, picked) in zip(rows, chosen) {
            if row.label == .abnormal { abnormal += 1 }
            guard let nearest = picked.last else { continue }
            covered += 1
            exampleCount += picked.count
            maxCount = max(maxCount, picked.count)
            let cost = picked.map(selector.cost(of:)).reduce(0, +)
            tokens += cost
            maxSeen = max(maxSeen, cost)
            if nearest.label == row.label { nearestAgrees += 1 }
            if row.label == .abnormal, nearest.label == .abnormal { abnormalNearest += 1 }
            let abnormalVotes = picked.filter { $0.label == .abnormal }.count
            let vote: Verdict.Label = abnormalVotes * 2 > picked.count ? .abnormal
                : abnormalVotes * 2 < picked.count ? .normal : nearest.label
            if vote == row.label { voteAgrees += 1 }
        }
        func percent(_ part: Int, _ whole: Int) -> String { whole == 0 ? "-" : String(format: "%.1f%%", 100 * Double(part) / Double(whole)) }
        func mean(_ total: Int, _ count: Int) -> String { count == 0 ? "-" : String(format: "%.1f", Double(total) / Double(count)) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("labels=\(labels) templates=\(rows.count) abnormal=\(abnormal) (\(percent(abnormal, rows.count))) few_shot_examples=\(examples) few_shot_max_tokens=\(maxTokens)")
        print("coverage: \(covered)/\(rows.count) templates (\(percent(covered, rows.count))) get at least one example")
        print("per prompt with examples: examples mean=\(mean(exampleCount, covered)) max=\(maxCount) estimated_tokens mean=\(mean(tokens, covered)) max=\(maxSeen) (budget \(maxTokens))")
        print("label agreement: most similar example \(percent(nearestAgrees, covered)), majority of examples \(percent(voteAgrees, covered)); abnormal templates whose most similar example is abnormal \(percent(abnormalNearest, abnormal)); majority-class baseline \(percent(max(abnormal, rows.count - abnormal), rows.count))")
        print(String(format: "selection: %.1f µs per template (%d templates, %.3f s), repeatable=%@", seconds * 1e6 / Double(max(1, rows.count)), rows.count, seconds, repeatable ? "true" : "false"))
    }
}
