import Foundation

/// Token-level similarity of a completion's reasoning to the expert's reference analysis.
///
/// Tokens are lowercased runs of letters, digits and `_`; punctuation and whitespace separate
/// them. Word tokens, not characters: character n-grams of two English texts overlap heavily
/// whatever they say, so a character BLEU rewards fluent text rather than the expert's
/// argument.
public struct ThinkingSimilarity: Sendable, Hashable, Codable {
    /// BLEU-4 with add-one smoothing of the 2- to 4-gram precisions, with brevity penalty.
    public var bleu: Double
    /// ROUGE-L F1 (longest common subsequence, β = 1).
    public var rougeL: Double
    /// 1 up to the reference length, then falling linearly to 0 at twice that length.
    public var length: Double
    public var candidateTokens: Int
    public var referenceTokens: Int

    public init(candidate: String, reference: String) {
        let c = Self.tokens(candidate), r = Self.tokens(reference)
        candidateTokens = c.count
        referenceTokens = r.count
        bleu = Self.bleu(candidate: c, reference: r)
        rougeL = Self.rougeL(candidate: c, reference: r)
        length = Self.lengthScore(candidate: c.count, reference: r.count)
    }

    public static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    /// Geometric mean of n-gram precisions p1…p4 times the brevity penalty. p1 is unsmoothed
    /// (no shared word: 0); p2…p4 use (matches + 1) / (n-grams + 1) (Lin and Och 2004), so a
    /// short but apt analysis with no shared 4-gram is not scored 0. BP = exp(1 − r/c) when the
    /// candidate is shorter than the reference.
    public static func bleu(candidate c: [String], reference r: [String], maxOrder: Int = 4) -> Double {
        guard !c.isEmpty, !r.isEmpty else { return 0 }
        var logSum = 0.0
        for n in 1...maxOrder {
            let cand = ngramCounts(c, n), ref = ngramCounts(r, n)
            let total = max(c.count - n + 1, 0)
            let matches = cand.reduce(0) { $0 + min($1.value, ref[$1.key] ?? 0) }
            let precision: Double
            if n == 1 {
                guard matches > 0 else { return 0 }
                precision = Double(matches) / Double(total)
            } else {
                precision = Double(matches + 1) / Double(total + 1)
            }
            logSum += log(precision)
        }
        let brevity = c.count >= r.count ? 1 : exp(1 - Double(r.count) / Double(c.count))
        return brevity * exp(logSum / Double(maxOrder))
    }

    public static func rougeL(candidate c: [String], reference r: [String]) -> Double {
        guard !c.isEmpty, !r.isEmpty else { return 0 }
        let lcs = Double(longestCommonSubsequence(c, r))
        guard lcs > 0 else { return 0 }
        let precision = lcs / Double(c.count), recall = lcs / Double(r.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Rewards brevity: full score up to the reference length, nothing at twice it. Too-short
    /// reasoning is already penalised by BLEU's brevity penalty and ROUGE-L's recall.
    public static func lengthScore(candidate: Int, reference: Int) -> Double {
        guard reference > 0 else { return candidate == 0 ? 1 : 0 }
        guard candidate > reference else { return 1 }
        return max(0, 1 - Double(candidate - reference) / Double(reference))
    }

    static func ngramCounts(_ tokens: [String], _ n: Int) -> [ArraySlice<String>: Int] {
        var counts: [ArraySlice<String>: Int] = [:]
        guard tokens.count >= n else { return counts }
        for start in 0...(tokens.count - n) { counts[tokens[start..<(start + n)], default: 0] += 1 }
        return counts
    }

    static func longestCommonSubsequence(_ a: [String], _ b: [String]) -> Int {
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for x in a {
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
