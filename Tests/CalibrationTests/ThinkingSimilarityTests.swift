import Foundation
import Testing
@testable import Calibration

@Suite struct ThinkingSimilarityTests {
    @Test func tokensAreLowercasedWordsWithoutPunctuation() {
        #expect(ThinkingSimilarity.tokens("IO-error, Node_1!  ok") == ["io", "error", "node_1", "ok"])
    }

    /// Candidate "disk write failed again" (4) vs reference "disk write failed" (3):
    /// p1 = 3/4; p2 = (2+1)/(3+1) = 3/4; p3 = (1+1)/(2+1) = 2/3; p4 = (0+1)/(1+1) = 1/2; BP = 1.
    /// BLEU = (0.75 * 0.75 * 2/3 * 0.5)^(1/4) = 0.1875^(1/4) = 0.6580370064.
    /// LCS 3: P = 3/4, R = 1 -> ROUGE-L = 1.5/1.75 = 0.8571428571.
    /// Length: 1 - (4-3)/3 = 0.6666666667.
    @Test func longerCandidateLosesLengthAndPrecision() {
        let s = ThinkingSimilarity(candidate: "disk write failed again", reference: "disk write failed")
        #expect(abs(s.bleu - 0.6580370064) < 1e-9)
        #expect(abs(s.rougeL - 0.8571428571) < 1e-9)
        #expect(abs(s.length - 0.6666666667) < 1e-9)
    }

    @Test func lengthReachesZeroAtTwiceTheReference() {
        #expect(ThinkingSimilarity.lengthScore(candidate: 10, reference: 10) == 1)
        #expect(ThinkingSimilarity.lengthScore(candidate: 15, reference: 10) == 0.5)
        #expect(ThinkingSimilarity.lengthScore(candidate: 20, reference: 10) == 0)
        #expect(ThinkingSimilarity.lengthScore(candidate: 30, reference: 10) == 0)
    }

    @Test func noSharedWordScoresZero() {
        let s = ThinkingSimilarity(candidate: "all good here", reference: "disk write failed")
        #expect(s.bleu == 0)
        #expect(s.rougeL == 0)
    }

    @Test func rougeLUsesTheLongestCommonSubsequenceNotContiguity() {
        // LCS of "a x b y c" and "a b c" is 3: P = 3/5, R = 1 -> F = 1.2/1.6 = 0.75.
        let s = ThinkingSimilarity(candidate: "a x b y c", reference: "a b c")
        #expect(abs(s.rougeL - 0.75) < 1e-9)
    }
}
