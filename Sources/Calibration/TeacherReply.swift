import RationCore
import Reasoning

/// What distillation makes of one teacher reply: the analysis is kept only when the reply
/// has the contract's shape (``ReplyFormat``, the parser the reward uses),
/// passes the daemon's ``ReplyVerifier`` (answer, reasoning consistent with it, quotes found in
/// the template), does not lean on the label hint, and its answer is the expert's label.
public enum TeacherReply: Sendable, Hashable {
    case kept(analysis: String, score: Double)
    /// Well-formed, but the teacher's answer is not the expert's label.
    case disagrees(answer: Verdict.Label)
    case malformed(reason: String)

    /// Words that show the analysis argues from the hint rather than from the entry.
    static let hintWords = ["expert", "hint", "labelled", "labeled", "classified this entry as"]

    public init(content: String, template: String, label: Verdict.Label, verifier: ReplyVerifier = ReplyVerifier()) {
        guard case .success(let tagged) = ReplyFormat.parseTags(content), let answer = tagged.label else {
            let outcome = verifier.verify(content: content, constraint: .none, evidence: [template])
            self = .malformed(reason: outcome.failures.first ?? "not <think>…</think><answer>normal|abnormal</answer>")
            return
        }
        guard answer == label else {
            self = .disagrees(answer: answer)
            return
        }
        let outcome = verifier.verify(content: content, constraint: .none, evidence: [template])
        guard outcome.isVerified else {
            self = .malformed(reason: outcome.failureSummary)
            return
        }
        let analysis = tagged.think.trimmingWhitespace()
        guard !analysis.isEmpty else {
            self = .malformed(reason: "empty analysis")
            return
        }
        let lower = analysis.lowercased()
        if let word = Self.hintWords.first(where: { lower.contains($0) }), !template.lowercased().contains(word) {
            self = .malformed(reason: "analysis leans on the label hint (\"\(word)\")")
            return
        }
        self = .kept(analysis: analysis, score: outcome.score)
    }
}
