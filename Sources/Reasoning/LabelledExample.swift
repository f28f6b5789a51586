import RationCore

/// A template with a known label, shown to the model as a worked example (few-shot) before
/// the template it is asked about: the operator's labels, and optionally a file of labelled
/// templates (`reasoning.few_shot_file`).
public struct LabelledExample: Sendable, Hashable {
    public enum Origin: String, Sendable, Hashable {
        /// `rationctl label` on a template or an alert; wins over a file example of the same text.
        case `operator`
        /// A row of `reasoning.few_shot_file`.
        case file
    }

    public var templateText: String
    public var label: Verdict.Label
    /// The operator's note or a distilled analysis; nil gives the canned rationale.
    public var analysis: String?
    public var origin: Origin

    public init(templateText: String, label: Verdict.Label, analysis: String? = nil, origin: Origin) {
        self.templateText = templateText
        self.label = label
        self.analysis = analysis.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        self.origin = origin
    }

    /// The user turn: the paper's instruction, newline, the template fenced as data (as for the
    /// real question).
    public func userContent(instruction: String) -> String { instruction + "\n" + LogTextFence.fenced([templateText]) }

    /// The assistant turn in the reply contract. Its reasoning is the operator's note or a
    /// distilled analysis, never log lines; without one, a short rationale that states the
    /// label and who gave it. Tags inside the analysis are removed and chat markers
    /// neutralised so the example itself keeps the contract.
    public var assistantContent: String {
        let think = analysis.map { LogTextFence.neutralised(Self.removingTags($0), keepingLineBreaks: true) } ?? Self.cannedRationale(label: label, origin: origin)
        return "<think>" + think + "</think><answer>" + label.rawValue + "</answer>"
    }

    static func cannedRationale(label: Verdict.Label, origin: Origin) -> String {
        let who = origin == .operator ? "An operator of this system" : "An expert"
        return label == .abnormal
            ? "\(who) reviewed this log template and labelled it abnormal: it reports a fault that needs attention."
            : "\(who) reviewed this log template and labelled it normal: it reports routine operation."
    }

    static func removingTags(_ text: String) -> String {
        var result = text
        for tag in ["<think>", "</think>", "<answer>", "</answer>"] { result = result.replacingAll(tag, with: "") }
        return result.trimmingWhitespace()
    }
}

