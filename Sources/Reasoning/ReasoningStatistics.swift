/// Counters an operator reads to see what the reasoning stage costs and why verdicts are
/// missing. All counts since start.
public struct ReasoningStatistics: Sendable, Hashable, Codable {
    /// Requests sent to an endpoint (each retry counts).
    public var calls = 0
    public var cacheHits = 0
    /// Cache hits that came from an operator override.
    public var overrideHits = 0
    /// Requests that failed at the transport or HTTP level (timeout, 5xx, 429, refused).
    public var endpointFailures = 0
    /// Replies that failed a verifier check or were malformed.
    public var rejectedReplies = 0
    public var verified = 0
    public var unverified = 0
    public var skipped = 0
    public var windowsJudged = 0
    public var windowPrompts = 0
    /// Template prompts sent with few-shot examples (operator labels or the few-shot file).
    public var fewShotPrompts = 0
    public var promptTokens = 0
    public var completionTokens = 0
    /// Windows refused by `submit` because the queue was full of more suspicious ones.
    public var queueRejected = 0
    /// Queued windows pushed out by more suspicious arrivals (reported as skipped).
    public var queueEvicted = 0
    public var queueDepth = 0
    public var inFlight = 0
    /// Skipped windows waiting to be judged again.
    public var deferred = 0
    /// Results the consumer of `results` did not take in time.
    public var resultsDropped = 0
    public var callsLeftThisMinute = 0
    /// Last verdict-cache load/save problem, if any.
    public var cacheWarning: String?
}
