/// Calls per rolling minute: remembers the start instants of the last `limit` calls.
/// A value type without a clock; bounded by `limit`.
public struct CallRateLimiter: Sendable {
    public let limit: Int
    public let period: Duration
    private var starts: [ContinuousClock.Instant] = []

    public init(limit: Int, period: Duration = .seconds(60)) {
        self.limit = limit
        self.period = period
    }

    /// Takes one call from the budget if there is one.
    public mutating func tryAcquire(now: ContinuousClock.Instant) -> Bool {
        starts.removeAll { now - $0 >= period }
        guard starts.count < limit else { return false }
        starts.append(now)
        return true
    }

    public func remaining(now: ContinuousClock.Instant) -> Int {
        limit - starts.filter { now - $0 < period }.count
    }
}
