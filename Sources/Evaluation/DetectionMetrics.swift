/// Session-level detection figures, computed the way `score_detection.py` computes them.
public struct DetectionMetrics: Sendable, Hashable, CustomStringConvertible {
    public var sessions: Int
    public var anomalies: Int
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var escalated: Int
    public var escalatedAnomalies: Int

    public init(labels: [String: Bool], predicted: Set<String>, escalated: Set<String>) {
        sessions = labels.count
        anomalies = labels.values.filter { $0 }.count
        truePositives = labels.filter { $0.value && predicted.contains($0.key) }.count
        falsePositives = labels.filter { !$0.value && predicted.contains($0.key) }.count
        falseNegatives = anomalies - truePositives
        self.escalated = labels.keys.filter { escalated.contains($0) }.count
        escalatedAnomalies = labels.filter { $0.value && escalated.contains($0.key) }.count
    }

    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { ratio(truePositives, anomalies) }
    public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    public var escalationRate: Double { ratio(escalated, sessions) }
    public var escalationRecall: Double { ratio(escalatedAnomalies, anomalies) }

    private func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }

    public var description: String {
        func f(_ x: Double) -> String {
            let scaled = (x * 10_000).rounded() / 10_000
            return String(scaled)
        }
        return "sessions=\(sessions) anomalies=\(anomalies) tp=\(truePositives) fp=\(falsePositives) "
            + "fn=\(falseNegatives) precision=\(f(precision)) recall=\(f(recall)) f1=\(f(f1)) "
            + "escalated=\(escalated) escalation_rate=\(f(escalationRate)) "
            + "escalation_recall=\(f(escalationRecall)) (\(escalatedAnomalies) of \(anomalies))"
    }

    /// The most anomalies any detector can escalate within `maxRate` of the sessions when all
    /// it sees is each session's template sequence: sessions with the same sequence are
    /// indistinguishable, so a detector escalates whole groups. Exact (0/1 knapsack over the
    /// groups, cost = group size, value = anomalies in it).
    public static func ceiling(sequences: [String: String], labels: [String: Bool],
                               maxRate: Double) -> (anomalies: Int, escalated: Int) {
        let groups = sequenceGroups(sequences: sequences, labels: labels)
        let budget = Int((maxRate * Double(sequences.count)).rounded(.down))
        var best = [Int](repeating: 0, count: budget + 1)
        var cost = [Int](repeating: 0, count: budget + 1)
        for g in groups.values.sorted(by: { ($0.size, $0.anomalies) < ($1.size, $1.anomalies) })
        where g.anomalies > 0 && g.size <= budget {
            for b in stride(from: budget, through: g.size, by: -1)
            where best[b - g.size] + g.anomalies > best[b] {
                best[b] = best[b - g.size] + g.anomalies
                cost[b] = cost[b - g.size] + g.size
            }
        }
        let top = best.max() ?? 0
        let spent = zip(best, cost).filter { $0.0 == top }.map(\.1).min() ?? 0
        return (top, spent)
    }

    /// The fewest sessions a detector that sees only template sequences must escalate to catch
    /// at least `anomalies` anomalies (whole groups of identical sequences, as in `ceiling`);
    /// nil when there are fewer anomalies than that. Exact (knapsack over anomaly counts).
    public static func minimumEscalations(sequences: [String: String], labels: [String: Bool], anomalies target: Int) -> Int? {
        let groups = sequenceGroups(sequences: sequences, labels: labels).values.filter { $0.anomalies > 0 }
        let total = groups.reduce(0) { $0 + $1.anomalies }
        guard target <= total else { return nil }
        var cheapest = [Int](repeating: .max, count: total + 1)
        cheapest[0] = 0
        for g in groups.sorted(by: { ($0.size, $0.anomalies) < ($1.size, $1.anomalies) }) {
            for caught in stride(from: total, through: g.anomalies, by: -1) where cheapest[caught - g.anomalies] != .max {
                cheapest[caught] = min(cheapest[caught], cheapest[caught - g.anomalies] + g.size)
            }
        }
        return cheapest[max(0, target)...].min()
    }

    /// Sessions grouped by identical template sequence: group size and anomalies in it.
    private static func sequenceGroups(sequences: [String: String], labels: [String: Bool]) -> [String: (size: Int, anomalies: Int)] {
        var groups: [String: (size: Int, anomalies: Int)] = [:]
        for (session, sequence) in sequences {
            var g = groups[sequence] ?? (0, 0)
            g.size += 1
            if labels[session] == true { g.anomalies += 1 }
            groups[sequence] = g
        }
        return groups
    }
}
