import Foundation
import RationCore

/// Checks a model reply against the contract before anything trusts it. Modelled on
/// RationAnomaly's reward: format (+0.1 / −1), answer in the allowed set (+1 / −1), plus
/// reasoning quality split into consistency (+0.5 / −1) and evidence (+0.5 quoted and found,
/// 0 nothing quoted, −1 quoted but absent). The score is stored with the verdict; a reply is
/// verified only when no check failed. Best possible score: 2.1.
public struct ReplyVerifier: Sendable {
    public static let maximumScore = 2.1
    /// Quotes shorter than this are words, not evidence, and are not checked.
    public var minimumQuoteLength: Int

    public init(minimumQuoteLength: Int = 6) {
        self.minimumQuoteLength = minimumQuoteLength
    }

    public struct Outcome: Sendable, Hashable {
        public var label: Verdict.Label?
        public var think: String
        public var score: Double
        /// Empty when verified; otherwise one entry per failed check.
        public var failures: [String]
        public var isVerified: Bool { failures.isEmpty }
        public var failureSummary: String { failures.joined(separator: "; ") }
    }

    /// `evidence` is the text the reply may quote: the template and the window's lines.
    /// `lineCount` bounds "line N" references (0: none numbered).
    public func verify(content: String, constraint: ReplyConstraint, evidence: [String], lineCount: Int = 0,
                       finishReason: String? = nil) -> Outcome {
        var failures: [String] = []
        var score = 0.0
        let parsed: ReplyFormat.Tagged?
        switch constraint {
        case .jsonSchema:
            parsed = Self.parseJSON(content, failures: &failures)
        case .none, .llamaGrammar:
            switch ReplyFormat.parseTags(content) {
            case .success(let tagged): parsed = tagged
            case .failure(let violation): parsed = nil; failures.append(violation.description)
            }
        }
        if finishReason == "length", parsed == nil { failures.append("reply truncated (finish_reason length)") }
        guard let parsed else {
            return Outcome(label: nil, think: content, score: -2, failures: failures)
        }
        score += 0.1
        let answer = parsed.normalisedAnswer
        let label = parsed.label
        if label != nil {
            score += 1
        } else {
            score -= 1
            failures.append("answer \"\(answer.prefix(40))\" is not normal or abnormal")
        }
        if let label, let stance = Self.stance(of: parsed.think), stance != label {
            score -= 1
            failures.append("reasoning concludes \(stance.rawValue) but the answer is \(label.rawValue)")
        } else {
            score += 0.5
        }
        let (quoted, missing) = checkEvidence(think: parsed.think, evidence: evidence, lineCount: lineCount)
        if let missing {
            score -= 1
            failures.append(missing)
        } else if quoted > 0 {
            score += 0.5
        }
        return Outcome(label: label, think: parsed.think.trimmingWhitespace(), score: score, failures: failures)
    }

    // MARK: Format

    /// The same two fields as one JSON object, for endpoints constrained by a JSON schema.
    static func parseJSON(_ content: String, failures: inout [String]) -> ReplyFormat.Tagged? {
        struct Shape: Decodable { var think: String; var answer: String }
        guard let shape = try? JSONDecoder().decode(Shape.self, from: Data(content.utf8)) else {
            failures.append("format: reply is not a JSON object with string fields think and answer")
            return nil
        }
        return ReplyFormat.Tagged(think: shape.think, answer: shape.answer)
    }

    // MARK: Consistency

    /// The label the reasoning argues for: the last label word that follows a conclusion cue
    /// ("is", "as", "therefore", …), flipped by a "not" right before it. Nil when the
    /// reasoning never states one.
    static func stance(of think: String) -> Verdict.Label? {
        // Quoted log text is evidence, not the model's own words.
        var unquoted = think
        for span in quotedSpans(in: think) { unquoted = unquoted.replacingAll(span, with: " ") }
        let words = unquoted.lowercased().split { !($0.isLetter || $0 == "'") }.map(String.init)
        let cues: Set<String> = ["is", "are", "as", "be", "seems", "appears", "considered", "classified", "classify",
                                 "categorized", "categorised", "indicates", "indicate", "therefore", "thus", "so",
                                 "hence", "answer", "verdict", "conclusion", "an", "a", "likely", "entirely",
                                 "completely", "perfectly", "clearly", "definitely", "looks"]
        var result: Verdict.Label?
        for (index, word) in words.enumerated() {
            let label: Verdict.Label
            switch word {
            case "normal": label = .normal
            case "abnormal", "anomalous", "anomaly", "abnormality", "anomalies": label = .abnormal
            default: continue
            }
            let before = words[max(0, index - 3)..<index]
            guard before.contains(where: cues.contains) else { continue }
            let negated = before.suffix(2).contains { $0 == "not" || $0 == "isn't" || $0 == "no" || $0 == "never" }
            result = negated ? (label == .normal ? .abnormal : .normal) : label
        }
        return result
    }

    // MARK: Evidence

    /// Every quoted span must occur in the evidence (case-insensitive, whitespace-normalised,
    /// `<*>` in either side matching anything), as logged or as the prompt showed it
    /// (`LogTextFence.neutralised`), and must not be instruction-like (`InstructionLikeText`:
    /// evidence that steers the answer is an injection, not a finding); every "line N" must exist.
    func checkEvidence(think: String, evidence: [String], lineCount: Int) -> (quoted: Int, missing: String?) {
        let haystack = (evidence + evidence.map { LogTextFence.neutralised($0) }).map { $0.normalisedForEvidence() }
        var quoted = 0
        for quote in Self.quotedSpans(in: think) where quote.count >= minimumQuoteLength {
            quoted += 1
            if let marker = InstructionLikeText.match(in: quote) {
                return (quoted, "evidence \"\(quote.prefix(80))\" is instruction-like text (\"\(marker)\"), not a log finding")
            }
            let needle = quote.normalisedForEvidence()
            if !haystack.contains(where: { Self.contains($0, needle) }) {
                return (quoted, "evidence \"\(quote.prefix(80))\" is not in the window")
            }
        }
        if lineCount > 0 {
            for number in Self.lineReferences(in: think) where number < 1 || number > lineCount {
                return (quoted, "reasoning cites line \(number) but the window has \(lineCount)")
            }
        }
        return (quoted, nil)
    }

    static func quotedSpans(in text: String) -> [String] {
        let pairs: [(Character, Character)] = [("\"", "\""), ("\u{201C}", "\u{201D}"), ("`", "`")]
        var spans: [String] = []
        for (open, close) in pairs {
            var current: String?
            for ch in text {
                if current == nil {
                    if ch == open { current = "" }
                } else if ch == close {
                    spans.append(current!)
                    current = nil
                } else {
                    current!.append(ch)
                }
            }
        }
        return spans
    }

    static func lineReferences(in text: String) -> [Int] {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }
        var numbers: [Int] = []
        for (index, word) in words.enumerated() where (word == "line" || word == "lines") && index + 1 < words.count {
            if let n = Int(words[index + 1]) { numbers.append(n) }
        }
        return numbers
    }

    /// Substring test where `<*>` in the quote matches any run of characters.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        needle.components(separatedByLiteral: "<*>").filter { !$0.isEmpty }.allInOrder(in: haystack)
    }
}

extension [String] {
    /// Each element occurs in `text`, in this order, without overlap.
    func allInOrder(in text: String) -> Bool {
        var rest = text[...]
        for part in self {
            guard let range = rest.firstRange(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}

extension String {
    func components(separatedByLiteral separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    /// Lower-cased with whitespace runs collapsed to one space.
    func normalisedForEvidence() -> String {
        lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
