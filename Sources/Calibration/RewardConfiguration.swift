/// Weights of the calibration reward. Costs are magnitudes (≥ 0): a missed anomaly scores
/// `-missedAnomalyCost`. The defaults follow the RationAnomaly paper: a missed anomaly costs
/// 6.67 times a false alarm, because an operator never sees an anomaly the model called normal,
/// while a false alarm costs one look.
public struct RewardConfiguration: Sendable, Hashable, Codable {
    /// Added for a well-formed completion.
    public var formatReward: Double
    /// Added (negative) for anything else.
    public var formatPenalty: Double
    public var correctReward: Double
    public var missedAnomalyCost: Double
    public var falseAlarmCost: Double
    /// Weights of BLEU, ROUGE-L and the length term inside the thinking part; they sum to 1 so
    /// the thinking part lies in [0, 1].
    public var bleuWeight: Double
    public var rougeWeight: Double
    public var lengthWeight: Double

    public init(formatReward: Double = 0.1, formatPenalty: Double = -1.0, correctReward: Double = 1.0,
                missedAnomalyCost: Double = 6.67, falseAlarmCost: Double = 1.0,
                bleuWeight: Double = 1.0 / 3, rougeWeight: Double = 1.0 / 3, lengthWeight: Double = 1.0 / 3) {
        self.formatReward = formatReward
        self.formatPenalty = formatPenalty
        self.correctReward = correctReward
        self.missedAnomalyCost = missedAnomalyCost
        self.falseAlarmCost = falseAlarmCost
        self.bleuWeight = bleuWeight
        self.rougeWeight = rougeWeight
        self.lengthWeight = lengthWeight
    }

    public static let rationAnomaly = RewardConfiguration()

    /// Rejects negative costs (a cost is a magnitude; a negative one would reward the mistake).
    public func validated() throws(CalibrationError) -> RewardConfiguration {
        if missedAnomalyCost < 0 || !missedAnomalyCost.isFinite {
            throw .invalidConfiguration("missed-anomaly-cost must be a finite number ≥ 0, got \(missedAnomalyCost)")
        }
        if falseAlarmCost < 0 || !falseAlarmCost.isFinite {
            throw .invalidConfiguration("false-alarm-cost must be a finite number ≥ 0, got \(falseAlarmCost)")
        }
        return self
    }
}
