import Foundation
import RationCore
import Reasoning

/// GRPO training prompts: the daemon's own system prompt and template prompt
/// (``PromptBuilder``) as `prompt`, with the expert's `label` and the teacher's `reference`
/// analysis (null when none was distilled) as extra columns that a reward function receives,
/// e.g. TRL's GRPOTrainer passes dataset columns to reward functions as keyword arguments.
/// The reward itself is ``CompletionReward`` (`rationlab reward`).
public struct RLExport: Sendable {
    public struct Example: Sendable, Hashable, Codable {
        public var prompt: [ChatMessage]
        public var label: Verdict.Label
        public var reference: String?
        /// Unix seconds, the split's order.
        public var time: Double

        public func jsonLine() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Explicit null for a missing reference, so every line has the same columns.
            struct Wire: Encodable {
                var prompt: [ChatMessage]; var label: Verdict.Label; var reference: String?; var time: Double
                func encode(to encoder: any Encoder) throws {
                    enum K: String, CodingKey { case prompt, label, reference, time }
                    var c = encoder.container(keyedBy: K.self)
                    try c.encode(prompt, forKey: .prompt)
                    try c.encode(label, forKey: .label)
                    try c.encode(reference, forKey: .reference)
                    try c.encode(time, forKey: .time)
                }
            }
            return String(decoding: (try? encoder.encode(Wire(prompt: prompt, label: label, reference: reference, time: time))) ?? Data(),
                          as: UTF8.self)
        }
    }

    public struct Split: Sendable, Hashable {
        public var train: [Example]
        public var validation: [Example]
    }

    public var builder: PromptBuilder
    public let chronology: ChronologicalSplit
    public var validationFraction: Double { chronology.validationFraction }

    public init(prompts: PromptSet = .rationAnomaly, validationFraction: Double = 0.1) throws(CalibrationError) {
        builder = PromptBuilder(prompts: prompts)
        chronology = try ChronologicalSplit(validationFraction: validationFraction)
    }

    public func example(_ label: TemplateLabel, reference: String?) -> Example {
        Example(prompt: builder.templateMessages(templateText: label.template), label: label.label, reference: reference,
                time: label.time)
    }

    /// `references` by template text; a reference distilled for another label than the
    /// current one is stale (the operator changed their mind) and not used.
    public func split(_ labels: [TemplateLabel], references: [String: DistilledAnalysis]) -> Split {
        let examples = labels.map { label in
            example(label, reference: references[label.template].flatMap { $0.label == label.label ? $0.analysis : nil })
        }
        let (train, validation) = chronology.split(examples, time: \.time)
        return Split(train: Array(train), validation: Array(validation))
    }
}

extension TemplateLabel {
    /// The labels that have an analysis for the same label, as ``LabelledTemplate``s for the
    /// SFT export; `missing` counts those without one (or with a stale one).
    public static func withAnalyses(_ labels: [TemplateLabel], _ analyses: [String: DistilledAnalysis])
        -> (items: [LabelledTemplate], missing: Int) {
        var items: [LabelledTemplate] = []
        var missing = 0
        for label in labels {
            guard let analysis = analyses[label.template], analysis.label == label.label else {
                missing += 1
                continue
            }
            items.append(LabelledTemplate(time: label.time, template: label.template, label: label.label, analysis: analysis.analysis))
        }
        return (items, missing)
    }
}
