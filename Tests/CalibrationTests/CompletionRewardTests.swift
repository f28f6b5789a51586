import Foundation
import RationCore
import Reasoning
import Testing
@testable import Calibration

/// Expected values are worked out by hand in the comments; tolerance 1e-6.
@Suite struct CompletionRewardTests {
    static let reference = "Disk write failed on node."  // tokens: disk write failed on node (5)

    @Test func wellFormedCorrectIdenticalReasoningScoresTheMaximum() {
        // Identical reasoning: every n-gram precision 1, no brevity penalty -> BLEU 1; LCS = 5 -> ROUGE-L 1;
        // 5 <= 5 -> length 1. thinking = (1 + 1 + 1) / 3 = 1. total = 0.1 + 1 + 1 = 2.1.
        let reward = CompletionReward(completion: "<think>Disk write failed on node.</think><answer>abnormal</answer>",
                                      label: .abnormal, reference: Self.reference)
        #expect(reward.outcome == .correct)
        #expect(abs(reward.format - 0.1) < 1e-9)
        #expect(abs(reward.answer - 1) < 1e-9)
        #expect(abs(reward.thinking - 1) < 1e-9)
        #expect(abs(reward.total - 2.1) < 1e-9)
    }

    /// Candidate "disk write failed" (3 tokens) against the 5-token reference:
    /// p1 = 3/3; p2 = (2+1)/(2+1); p3 = (1+1)/(1+1); p4 = (0+1)/(0+1) -> all 1;
    /// BP = exp(1 - 5/3) = 0.5134171190 -> BLEU 0.5134171190.
    /// LCS 3: P = 1, R = 0.6 -> ROUGE-L = 2*0.6/1.6 = 0.75. Length 3 <= 5 -> 1.
    /// thinking = (0.5134171190 + 0.75 + 1) / 3 = 0.7544723730.
    static let partialThinking = 0.7544723730

    @Test func wellFormedWrongIsAFalseAlarm() {
        let reward = CompletionReward(completion: "  <think>disk write failed</think>\n<answer> Abnormal </answer>\n",
                                      label: .normal, reference: Self.reference)
        #expect(reward.outcome == .falseAlarm)
        #expect(reward.predicted == .abnormal)
        #expect(abs(reward.similarity!.bleu - 0.5134171190) < 1e-6)
        #expect(abs(reward.similarity!.rougeL - 0.75) < 1e-9)
        #expect(reward.similarity!.length == 1)
        #expect(abs(reward.thinking - Self.partialThinking) < 1e-6)
        // 0.1 - 1 + 0.7544723730
        #expect(abs(reward.total - -0.1455276270) < 1e-6)
    }

    @Test func missedAnomalyCostsMoreThanAFalseAlarm() {
        let completion = "<think>disk write failed</think><answer>normal</answer>"
        let reward = CompletionReward(completion: completion, label: .abnormal, reference: Self.reference)
        #expect(reward.outcome == .missedAnomaly)
        #expect(abs(reward.answer - -6.67) < 1e-9)
        // 0.1 - 6.67 + 0.7544723730
        #expect(abs(reward.total - -5.8155276270) < 1e-6)

        var configuration = RewardConfiguration()
        configuration.missedAnomalyCost = 3
        let cheaper = CompletionReward(completion: completion, label: .abnormal, reference: Self.reference,
                                       configuration: configuration)
        // 0.1 - 3 + 0.7544723730
        #expect(abs(cheaper.total - -2.1455276270) < 1e-6)
    }

    @Test func missingTagsIsMalformedAndScoredAsAWrongAnswer() {
        let text = "The disk write failed. Answer: abnormal"
        let normal = CompletionReward(completion: text, label: .normal, reference: Self.reference)
        #expect(normal.outcome == .malformed)
        #expect(normal.predicted == nil)
        #expect(normal.thinking == 0)
        #expect(abs(normal.total - -2) < 1e-9)  // -1 format, -1 false-alarm cost
        let abnormal = CompletionReward(completion: text, label: .abnormal, reference: Self.reference)
        #expect(abs(abnormal.total - -7.67) < 1e-9)  // -1 format, -6.67 missed-anomaly cost
    }

    @Test(arguments: [
        "<think>a</think><answer>maybe</answer>",
        "<think>a</think>so<answer>normal</answer>",
        "preamble <think>a</think><answer>normal</answer>",
        "<think>a</think><answer>normal</answer> trailing",
        "<think>a</think><think>b</think><answer>normal</answer>",
        "<answer>normal</answer><think>a</think>",
        "<think>a<answer>normal</answer></think>",
        "",
    ])
    func malformedShapesAreRejected(completion: String) {
        #expect((try? ReplyFormat.parseTags(completion).get())?.label == nil)
        #expect(CompletionReward(completion: completion, label: .normal, reference: nil).outcome == .malformed)
        // The daemon's verifier refuses the same reply: one parser, so the two cannot disagree.
        #expect(!ReplyVerifier().verify(content: completion, constraint: .none, evidence: []).isVerified)
    }

    @Test func withoutReferenceThinkingIsZero() {
        let reward = CompletionReward(completion: "<think>x</think><answer>normal</answer>", label: .normal, reference: nil)
        #expect(reward.similarity == nil)
        #expect(abs(reward.total - 1.1) < 1e-9)
    }

    @Test func negativeCostsAreRejected() {
        var configuration = RewardConfiguration()
        configuration.falseAlarmCost = -1
        #expect(throws: CalibrationError.self) { try configuration.validated() }
    }
}
