/// Endpoints in failover order, each behind its own circuit breaker. A request goes to the
/// first endpoint whose breaker allows it; transport failures, timeouts and 5xx count
/// against that endpoint and the next one is tried; a 429 pauses the endpoint for its
/// Retry-After. When none can take the request, it fails at once (`.unavailable`): callers
/// never wait for an endpoint to recover.
public actor EndpointPool: ChatBackend {
    public struct Member: Sendable {
        public var name: String
        public var backend: any ChatBackend
        public init(name: String, backend: any ChatBackend) {
            self.name = name
            self.backend = backend
        }
    }

    public struct Health: Sendable, Hashable {
        public var name: String
        public var state: CircuitBreaker.State
        public var consecutiveFailures: Int
        public var blockedFor: Duration?
    }

    private let members: [Member]
    private var breakers: [CircuitBreaker]
    private let maxRetryAfter: Duration
    private let defaultRetryAfter: Duration

    public init(members: [Member], circuitBreaker: CircuitBreaker.Configuration, maxRetryAfter: Duration = .seconds(300),
                defaultRetryAfter: Duration = .seconds(30)) {
        self.members = members
        self.breakers = members.map { _ in CircuitBreaker(configuration: circuitBreaker) }
        self.maxRetryAfter = maxRetryAfter
        self.defaultRetryAfter = defaultRetryAfter
    }

    /// Builds HTTP clients for the configured endpoints.
    public init(configuration: ReasoningConfiguration) throws(ReasoningError) {
        var members: [Member] = []
        for endpoint in configuration.endpoints {
            let client = try OpenAIChatClient(endpoint: endpoint, timeout: configuration.requestTimeout)
            members.append(Member(name: "\(endpoint.baseURL) (\(endpoint.model))", backend: client))
        }
        self.init(members: members, circuitBreaker: configuration.circuitBreaker, maxRetryAfter: configuration.maxRetryAfter)
    }

    /// Whether some endpoint would take a request now (does not move breakers).
    public func isAvailable(now: ContinuousClock.Instant = .now) -> Bool {
        breakers.contains { $0.blockedUntil(now: now) == nil && $0.state != .halfOpen }
    }

    public func health(now: ContinuousClock.Instant = .now) -> [Health] {
        zip(members, breakers).map { member, breaker in
            Health(name: member.name, state: breaker.state, consecutiveFailures: breaker.consecutiveFailures,
                   blockedFor: breaker.blockedUntil(now: now).map { $0 - now })
        }
    }

    public func complete(_ request: ChatRequest) async throws(ReasoningError) -> ChatReply {
        var lastError: ReasoningError?
        var blocked: [String] = []
        for index in members.indices {
            let now = ContinuousClock.now
            guard breakers[index].allowRequest(now: now) else {
                let wait = breakers[index].blockedUntil(now: now).map { " for \(Self.format($0 - now))" } ?? " (probe in flight)"
                blocked.append("\(members[index].name) blocked\(wait)")
                continue
            }
            do {
                let reply = try await members[index].backend.complete(request)
                breakers[index].recordSuccess()
                return reply
            } catch {
                lastError = error
                switch error {
                case let .rateLimited(_, retryAfter):
                    let pause = min(retryAfter.map { Duration.milliseconds(Int64($0 * 1000)) } ?? defaultRetryAfter, maxRetryAfter)
                    breakers[index].pause(until: .now + pause)
                case .malformedReply:
                    // The endpoint answered: it is up. The caller decides whether to retry.
                    breakers[index].recordSuccess()
                    throw error
                default:
                    if error.countsAgainstEndpoint {
                        breakers[index].recordFailure(now: .now)
                    } else {
                        throw error
                    }
                }
            }
        }
        if let lastError { throw lastError }
        throw .unavailable(detail: blocked.joined(separator: "; "))
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 10 ? String(Double(Int(seconds * 10)) / 10) + " s" : "\(Int(seconds)) s"
    }
}
