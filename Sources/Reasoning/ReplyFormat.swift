import RationCore

/// The RationAnomaly reply shape: exactly one `<think>…</think>` then exactly one
/// `<answer>…</answer>`, nothing but whitespace around them. One parser serves the verifier
/// (whether the daemon trusts a reply) and the reward (how a training completion scores), so
/// the two cannot disagree on what is well-formed.
public enum ReplyFormat {
    public struct Tagged: Sendable, Hashable {
        /// The reasoning between the think tags, as written.
        public var think: String
        /// The text between the answer tags, as written.
        public var answer: String

        public init(think: String, answer: String) {
            self.think = think
            self.answer = answer
        }

        /// The answer trimmed and lower-cased, as it is compared.
        public var normalisedAnswer: String { answer.trimmingWhitespace().lowercased() }
        /// Nil when the answer is neither `normal` nor `abnormal`.
        public var label: Verdict.Label? { Verdict.Label(rawValue: normalisedAnswer) }
    }

    /// Why a reply is not well-formed, worded for logs and a verdict's failures.
    public struct Violation: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public static func parseTags(_ content: String) -> Result<Tagged, Violation> {
        let text = content.trimmingWhitespace()
        let counts = ["<think>", "</think>", "<answer>", "</answer>"].map { text.occurrences(of: $0) }
        guard counts == [1, 1, 1, 1],
              let t0 = text.firstRange(of: "<think>"), let t1 = text.firstRange(of: "</think>"),
              let a0 = text.firstRange(of: "<answer>"), let a1 = text.firstRange(of: "</answer>")
        else {
            return .failure(Violation(description: "format: expected one <think>…</think> and one <answer>…</answer>, found "
                + "<think>×\(counts[0]) </think>×\(counts[1]) <answer>×\(counts[2]) </answer>×\(counts[3])"))
        }
        guard t0.upperBound <= t1.lowerBound, t1.upperBound <= a0.lowerBound, a0.upperBound <= a1.lowerBound else {
            return .failure(Violation(description: "format: tags out of order"))
        }
        guard text[..<t0.lowerBound].allSatisfy(\.isWhitespace), text[t1.upperBound..<a0.lowerBound].allSatisfy(\.isWhitespace),
              text[a1.upperBound...].allSatisfy(\.isWhitespace)
        else {
            return .failure(Violation(description: "format: text outside the <think> and <answer> tags"))
        }
        return .success(Tagged(think: String(text[t0.upperBound..<t1.lowerBound]), answer: String(text[a0.upperBound..<a1.lowerBound])))
    }
}
