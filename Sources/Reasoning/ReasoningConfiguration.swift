/// Typed configuration of the reasoning stage; the daemon's TOML model validates into this.
public struct ReasoningConfiguration: Sendable, Hashable {
    /// One OpenAI-compatible server. `baseURL` ends where `/chat/completions` is appended,
    /// e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:11434/v1` (Ollama).
    public struct Endpoint: Sendable, Hashable {
        public var baseURL: String
        public var model: String
        /// Where the API key comes from; nil sends no Authorization header.
        public var apiKey: APIKeySource?
        public init(baseURL: String, model: String, apiKey: APIKeySource? = nil) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
        }
    }

    /// Endpoints in failover order: the first healthy one answers.
    public var endpoints: [Endpoint]
    public var temperature: Double
    public var maxTokens: Int
    /// Whole-exchange limit for one request.
    public var requestTimeout: Duration
    /// Requests in flight at once, over all endpoints.
    public var maxConcurrent: Int
    /// Requests started per rolling minute; cache hits are free.
    public var callsPerMinute: Int
    /// Windows waiting for a worker; the least suspicious is dropped first.
    public var queueCapacity: Int
    public var circuitBreaker: CircuitBreaker.Configuration
    public var prompts: PromptSet
    public var constraint: ReplyConstraint
    /// Persisted verdict cache; nil keeps it in memory only.
    public var cachePath: String?
    /// Most verdicts cached (`reasoning.cache_size`); 0 caches none.
    public var cacheSize = VerdictCache.defaultCapacity
    /// Most bytes the cached verdicts may hold (`reasoning.cache_max_bytes`).
    public var cacheMaxBytes = VerdictCache.defaultMaxBytes
    /// New verdicts are written to `cachePath` at most this long after they arrive.
    public var cacheSaveInterval: Duration
    /// Ask about the whole window when no template is abnormal but triage's evidence is about
    /// counts, transitions or bursts.
    public var windowPromptEnabled: Bool
    /// Extra attempts after a reply fails verification (or is malformed).
    public var verificationRetries: Int
    /// Put skipped windows back in the queue when the budget or the endpoint recovers.
    public var rejudgeSkipped: Bool
    /// How often skipped windows are retried.
    public var rejudgeInterval: Duration
    /// Windows kept for re-judging; older ones are dropped (their skipped verdict stands).
    public var rejudgeCapacity: Int
    /// Longest Retry-After honoured; larger values are clamped.
    public var maxRetryAfter: Duration
    /// Labelled templates shown as few-shot examples in template prompts.
    public var fewShot = FewShotSelector.Configuration()

    public init(endpoints: [Endpoint], temperature: Double = 0, maxTokens: Int = 512,
                requestTimeout: Duration = .seconds(60), maxConcurrent: Int = 2, callsPerMinute: Int = 60,
                queueCapacity: Int = 256, circuitBreaker: CircuitBreaker.Configuration = .init(),
                prompts: PromptSet = .rationAnomaly, constraint: ReplyConstraint = .none, cachePath: String? = nil,
                windowPromptEnabled: Bool = true, verificationRetries: Int = 1, rejudgeSkipped: Bool = true,
                rejudgeInterval: Duration = .seconds(30), rejudgeCapacity: Int = 1024,
                maxRetryAfter: Duration = .seconds(300), cacheSaveInterval: Duration = .seconds(10)) {
        self.endpoints = endpoints
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.requestTimeout = requestTimeout
        self.maxConcurrent = maxConcurrent
        self.callsPerMinute = callsPerMinute
        self.queueCapacity = queueCapacity
        self.circuitBreaker = circuitBreaker
        self.prompts = prompts
        self.constraint = constraint
        self.cachePath = cachePath
        self.windowPromptEnabled = windowPromptEnabled
        self.verificationRetries = verificationRetries
        self.rejudgeSkipped = rejudgeSkipped
        self.rejudgeInterval = rejudgeInterval
        self.rejudgeCapacity = rejudgeCapacity
        self.maxRetryAfter = maxRetryAfter
        self.cacheSaveInterval = cacheSaveInterval
    }

    /// Rejects values that would make the engine stall or spin, naming the key.
    public func validate() throws(ReasoningError) {
        if endpoints.isEmpty { throw .configuration(key: "reasoning.endpoints", detail: "at least one endpoint is required") }
        for (index, endpoint) in endpoints.enumerated() {
            guard endpoint.baseURL.hasPrefix("http://") || endpoint.baseURL.hasPrefix("https://") else {
                throw .configuration(key: "reasoning.endpoints[\(index)].base_url",
                                     detail: "\"\(endpoint.baseURL)\" is not an http(s) URL")
            }
            if endpoint.model.isEmpty {
                throw .configuration(key: "reasoning.endpoints[\(index)].model", detail: "must not be empty")
            }
        }
        if maxTokens < 8 { throw .configuration(key: "reasoning.max_tokens", detail: "\(maxTokens) is below 8") }
        if !(0...2).contains(temperature) { throw .configuration(key: "reasoning.temperature", detail: "\(temperature) is outside 0…2") }
        if requestTimeout <= .zero { throw .configuration(key: "reasoning.request_timeout", detail: "must be positive") }
        if maxConcurrent < 1 { throw .configuration(key: "reasoning.max_concurrent", detail: "must be at least 1") }
        if callsPerMinute < 1 { throw .configuration(key: "reasoning.calls_per_minute", detail: "must be at least 1") }
        if queueCapacity < 1 { throw .configuration(key: "reasoning.queue_capacity", detail: "must be at least 1") }
        if verificationRetries < 0 { throw .configuration(key: "reasoning.verification_retries", detail: "must not be negative") }
        if fewShot.maxExamples < 0 { throw .configuration(key: "reasoning.few_shot_examples", detail: "must not be negative") }
        if fewShot.maxTokens < 0 { throw .configuration(key: "reasoning.few_shot_max_tokens", detail: "must not be negative") }
        if circuitBreaker.failureThreshold < 1 {
            throw .configuration(key: "reasoning.circuit_breaker.failure_threshold", detail: "must be at least 1")
        }
        if circuitBreaker.baseBackoff <= .zero || circuitBreaker.maxBackoff < circuitBreaker.baseBackoff {
            throw .configuration(key: "reasoning.circuit_breaker.base_backoff",
                                 detail: "must be positive and not above max_backoff")
        }
    }
}
