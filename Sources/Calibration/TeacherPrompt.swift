import RationCore
import Reasoning

/// The texts sent to the teacher model during distillation (RationAnomaly §3.2): the
/// daemon's own system prompt and template instruction, so the analysis answers exactly the
/// question the student is later asked, followed by the steps the analysis must take.
///
/// The expert's label is given as a hint by default, as the paper's teacher is: the aim is a
/// rationale for the expert's judgement, not a second opinion. A hinted rationale can lean on
/// the hint ("as the expert says"), which the student never sees; the prompt forbids it and
/// ``TeacherReply`` drops analyses that mention it. With `hintLabel` off the teacher judges
/// blind, and only analyses that reach the expert's answer on their own are kept.
public struct TeacherPrompt: Sendable, Hashable {
    public var prompts: PromptSet
    /// The analysis steps, after the template.
    public var steps: String
    /// `{label}` is replaced by normal or abnormal.
    public var hint: String

    public init(prompts: PromptSet = .rationAnomaly, steps: String = Self.rationAnomalySteps, hint: String = Self.rationAnomalyHint) {
        self.prompts = prompts
        self.steps = steps
        self.hint = hint
    }

    public static let rationAnomalySteps = """
        Analyse the entry step by step inside <think>: first identify the key parameters and words \
        of the entry (component, event, error or status words, values); then reason about what \
        each implies for the health of the system; then conclude whether the entry is normal or \
        abnormal. Quote log text exactly, in double quotes. Keep the analysis under 150 words.
        """

    public static let rationAnomalyHint = """
        A domain expert has classified this entry as {label}. Explain the reasoning that leads to \
        that classification as if you reached it yourself: never mention the expert, a label or \
        a hint. Your answer must be {label}.
        """

    public func messages(template: String, label: Verdict.Label, hintLabel: Bool) -> [ChatMessage] {
        // Fenced as in the daemon's prompt: an injected template must not steer the analysis
        // that later becomes a few-shot example.
        var user = prompts.templateInstruction + "\n" + LogTextFence.fenced([template]) + "\n\n" + steps
        if hintLabel { user += "\n" + hint.replacing("{label}", with: label.rawValue) }
        return [ChatMessage(role: .system, content: prompts.system), ChatMessage(role: .user, content: user)]
    }
}
