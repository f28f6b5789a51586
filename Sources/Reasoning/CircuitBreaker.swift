/// Per-endpoint circuit breaker with exponential backoff. A value type without a clock:
/// callers pass `now` (a `ContinuousClock.Instant`).
public struct CircuitBreaker: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Consecutive failures that open the circuit.
        public var failureThreshold: Int
        /// Open time after the first trip; doubles on each failed probe.
        public var baseBackoff: Duration
        public var maxBackoff: Duration
        public init(failureThreshold: Int = 3, baseBackoff: Duration = .seconds(5), maxBackoff: Duration = .seconds(300)) {
            self.failureThreshold = failureThreshold
            self.baseBackoff = baseBackoff
            self.maxBackoff = maxBackoff
        }
    }

    public enum State: Sendable, Hashable {
        case closed
        /// No requests until the instant; then one probe (half-open).
        case open(until: ContinuousClock.Instant)
        /// One probe is in flight; its outcome closes or re-opens the circuit.
        case halfOpen
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    /// Trips since the last success: the backoff exponent.
    public private(set) var trips = 0
    /// Set by a 429: no requests before this instant, without counting as a failure.
    public private(set) var pausedUntil: ContinuousClock.Instant?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Whether a request may go now; moves open → half-open when the backoff has passed.
    public mutating func allowRequest(now: ContinuousClock.Instant) -> Bool {
        if let pausedUntil, now < pausedUntil { return false }
        switch state {
        case .closed: return true
        case .halfOpen: return false
        case let .open(until):
            guard now >= until else { return false }
            state = .halfOpen
            return true
        }
    }

    /// When a request could next go, or nil when it could go now.
    public func blockedUntil(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var until: ContinuousClock.Instant?
        if let pausedUntil, now < pausedUntil { until = pausedUntil }
        if case let .open(openUntil) = state, now < openUntil { until = max(until ?? openUntil, openUntil) }
        return until
    }

    public mutating func recordSuccess() {
        state = .closed
        consecutiveFailures = 0
        trips = 0
    }

    public mutating func recordFailure(now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= configuration.failureThreshold {
            let factor = 1 << min(trips, 20)
            let backoff = min(configuration.baseBackoff * factor, configuration.maxBackoff)
            state = .open(until: now + backoff)
            trips += 1
        }
    }

    /// A 429: pause without counting a failure.
    public mutating func pause(until: ContinuousClock.Instant) {
        pausedUntil = max(pausedUntil ?? until, until)
        if state == .halfOpen { state = .closed }
    }
}
