import RationCore
import Reasoning

/// The RationAnomaly reward of one completion against the expert's label and analysis:
/// format + answer + thinking quality.
///
/// Departures from the authors' released code (see README "Calibration"):
/// - BLEU is over word tokens, not characters (``ThinkingSimilarity``).
/// - The length term stops rewarding at the reference length and reaches 0 at twice it,
///   instead of rewarding reasoning up to three times the reference.
/// - A malformed completion is also scored as a wrong answer for its label (it gave none): an
///   unreadable reply raises no alert, so for an anomaly it is a miss. Without this a policy
///   unsure of an anomaly could break the format (−1) to dodge the miss (−6.67).
public struct CompletionReward: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case correct, missedAnomaly, falseAlarm, malformed
    }

    public var total: Double
    public var format: Double
    public var answer: Double
    /// 0 when malformed or when no reference analysis was given.
    public var thinking: Double
    public var outcome: Outcome
    public var predicted: Verdict.Label?
    public var label: Verdict.Label
    /// Nil when malformed or without a reference.
    public var similarity: ThinkingSimilarity?

    public init(completion: String, label: Verdict.Label, reference: String?,
                configuration: RewardConfiguration = .rationAnomaly) {
        self.label = label
        let wrongAnswer = label == .abnormal ? -configuration.missedAnomalyCost : -configuration.falseAlarmCost
        // The reward's format is the verifier's (one parser), with an answer in the label set.
        guard case .success(let tagged) = ReplyFormat.parseTags(completion), let parsedAnswer = tagged.label else {
            format = configuration.formatPenalty
            answer = wrongAnswer
            thinking = 0
            outcome = .malformed
            predicted = nil
            similarity = nil
            total = format + answer
            return
        }
        format = configuration.formatReward
        predicted = parsedAnswer
        if parsedAnswer == label {
            answer = configuration.correctReward
            outcome = .correct
        } else {
            answer = wrongAnswer
            outcome = label == .abnormal ? .missedAnomaly : .falseAlarm
        }
        if let reference, !reference.trimmingWhitespace().isEmpty {
            let similarity = ThinkingSimilarity(candidate: tagged.think, reference: reference)
            self.similarity = similarity
            thinking = configuration.bleuWeight * similarity.bleu + configuration.rougeWeight * similarity.rougeL
                + configuration.lengthWeight * similarity.length
        } else {
            similarity = nil
            thinking = 0
        }
        total = format + answer + thinking
    }
}
