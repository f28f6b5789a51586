import RationCore

/// The strict shape the reward accepts: optional whitespace, one `<think>…</think>`, optional
/// whitespace, one `<answer>normal|abnormal</answer>`, optional whitespace. Anything else
/// (missing or repeated tags, text outside them, another answer word) is malformed. The answer
/// word is trimmed and compared case-insensitively.
public enum CompletionFormat {
    public struct Parsed: Sendable, Hashable {
        public var think: String
        public var answer: Verdict.Label
    }

    public static func parse(_ completion: String) -> Parsed? {
        let text = completion.trimmedWhitespace()
        let tags = ["<think>", "</think>", "<answer>", "</answer>"]
        guard tags.allSatisfy({ text.count(of: $0) == 1 }),
              let t0 = text.firstRange(of: "<think>"), let t1 = text.firstRange(of: "</think>"),
              let a0 = text.firstRange(of: "<answer>"), let a1 = text.firstRange(of: "</answer>"),
              t0.lowerBound == text.startIndex, t0.upperBound <= t1.lowerBound,
              t1.upperBound <= a0.lowerBound, a0.upperBound <= a1.lowerBound, a1.upperBound == text.endIndex,
              text[t1.upperBound..<a0.lowerBound].allSatisfy(\.isWhitespace)
        else { return nil }
        let word = String(text[a0.upperBound..<a1.lowerBound]).trimmedWhitespace().lowercased()
        guard let answer = Verdict.Label(rawValue: word) else { return nil }
        return Parsed(think: String(text[t0.upperBound..<t1.lowerBound]), answer: answer)
    }
}

extension String {
    func trimmedWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }

    func count(of needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
