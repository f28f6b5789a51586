import Foundation
import RationCore
import Reasoning

/// Turns expert-labelled templates into supervised fine-tuning examples in the chat-messages
/// format: the daemon's own system prompt and template prompt (``PromptBuilder``), and the
/// expert's analysis and label as the assistant's `<think>…</think><answer>…</answer>` reply,
/// so the model is trained on exactly what it is later asked.
///
/// The split is chronological (oldest to train, newest to validation), not random: templates
/// recur, and a random split would leak near-duplicates of validation examples into training.
public struct SFTExport: Sendable {
    public struct Example: Sendable, Hashable, Codable {
        public var messages: [ChatMessage]
    }

    public struct Split: Sendable, Hashable {
        public var train: [Example]
        public var validation: [Example]
        public var trainBalance: [Verdict.Label: Int]
        public var validationBalance: [Verdict.Label: Int]
    }

    public var builder: PromptBuilder
    public let chronology: ChronologicalSplit
    public var validationFraction: Double { chronology.validationFraction }

    public init(prompts: PromptSet = .rationAnomaly, validationFraction: Double = 0.1) throws(CalibrationError) {
        builder = PromptBuilder(prompts: prompts)
        chronology = try ChronologicalSplit(validationFraction: validationFraction)
    }

    public func example(_ item: LabelledTemplate) -> Example {
        var messages = builder.templateMessages(templateText: item.template)
        messages.append(ChatMessage(role: .assistant,
                                    content: "<think>\(item.analysis.trimmingWhitespace())</think><answer>\(item.label.rawValue)</answer>"))
        return Example(messages: messages)
    }

    /// Sorts by time (stable for equal times) and holds out the newest
    /// `round(count × validationFraction)` examples.
    public func split(_ items: [LabelledTemplate]) -> Split {
        let (train, validation) = chronology.split(items, time: \.time)
        func balance(_ slice: ArraySlice<LabelledTemplate>) -> [Verdict.Label: Int] {
            var counts: [Verdict.Label: Int] = [.normal: 0, .abnormal: 0]
            for item in slice { counts[item.label, default: 0] += 1 }
            return counts
        }
        return Split(train: train.map(example), validation: validation.map(example),
                     trainBalance: balance(train), validationBalance: balance(validation))
    }
}

extension SFTExport.Example {
    /// One JSONL line: `{"messages":[{"content":…,"role":"system"},…]}`.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and enums cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
