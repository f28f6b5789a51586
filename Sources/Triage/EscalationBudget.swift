import RationCore

/// A token bucket over event time: `perHour` escalations per hour, at most `perHour` at once.
struct EscalationBudget: Sendable, Hashable, Codable {
    let perHour: Int?
    private(set) var tokens: Double
    private(set) var last: EventTime?

    init(perHour: Int?) {
        self.perHour = perHour
        tokens = Double(perHour ?? 0)
    }

    /// Takes one escalation at `time` if the budget allows it.
    mutating func take(at time: EventTime) -> Bool {
        guard let perHour else { return true }
        if let last, time > last {
            tokens = min(Double(perHour), tokens + time.since(last).seconds * Double(perHour) / 3_600)
        }
        if last == nil || time > last! { last = time }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

extension EscalationBudget {
    /// Restores saved state, capped by the (possibly changed) hourly budget.
    mutating func restore(tokens: Double, last: EventTime?) {
        self.tokens = min(tokens, Double(perHour ?? 0))
        self.last = last
    }
}
