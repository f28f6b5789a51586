/// `[reasoning]`: the LLM stage.
public struct ReasoningConfig: Sendable, Hashable {
    public var enabled = true
    /// OpenAI-compatible base URLs (ending in `/v1`), tried in order.
    public var endpoints: [String] = ["http://127.0.0.1:8080/v1"]
    /// Model name sent in requests; empty lets the server pick its loaded model.
    public var model: String?
    /// A file holding the API key (first line); read at start and on reload.
    public var apiKeyFile: String?
    /// A systemd credential (`LoadCredential=`) holding the API key, read from `$CREDENTIALS_DIRECTORY`.
    public var apiKeyCredential: String? = "rationd-llm-api-key"
    public var requestTimeout: Duration = .seconds(60)
    public var maxCallsPerMinute = 30
    public var maxConcurrency = 2
    /// Escalated windows waiting for the LLM; beyond this they are stored as `skipped(queue full)`.
    public var queueLength = 256
    /// Verdicts cached per template; the least recently used is forgotten beyond it.
    public var cacheSize = 10_000
    /// Bytes the cached verdicts may hold (template texts, rationales); the least recently used go first beyond it.
    public var cacheMaxBytes = 16 << 20
    public var maxTokens = 512
    public var temperature = 0.0
    /// Also ask one window-level question for sequence and count anomalies.
    public var windowPrompt = false
    /// Marks every verdict as coming from a demonstration model, not to be trusted.
    public var demo = false
    /// Judges windows stored as `skipped` again once the budget or the endpoint recovers, and
    /// updates their stored verdict.
    public var rejudgeSkipped = true
    public var rejudgeInterval: Duration = .seconds(30)
    /// Skipped windows kept in memory for re-judging; beyond it the oldest keeps its skipped verdict.
    public var rejudgeCapacity = 1024
    /// Most labelled templates shown as few-shot examples per template prompt; 0: none.
    public var fewShotExamples = 3
    /// Estimated tokens all few-shot examples of one prompt may take.
    public var fewShotMaxTokens = 400
    /// Labelled templates (CSV, or JSON lines when the name ends in `.jsonl`) used as examples besides the operator's labels.
    public var fewShotFile: String?

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        enabled = try t.bool("enabled", default: enabled)
        endpoints = try t.strings("endpoints", default: endpoints)
        if enabled, endpoints.isEmpty { throw t.error("endpoints", "is empty while reasoning is enabled") }
        for (i, e) in endpoints.enumerated() where !(e.hasPrefix("http://") || e.hasPrefix("https://")) {
            throw t.error("endpoints[\(i)]", "\"\(e)\" is not an http:// or https:// URL")
        }
        model = try t.optionalString("model")
        apiKeyFile = try t.optionalString("api_key_file")
        if let f = apiKeyFile, !f.hasPrefix("/") { throw t.error("api_key_file", "must be an absolute path") }
        apiKeyCredential = try t.string("api_key_credential", default: apiKeyCredential ?? "").nilIfEmpty
        if let c = apiKeyCredential, c.contains("/") { throw t.error("api_key_credential", "is a credential name, not a path") }
        requestTimeout = try t.duration("request_timeout", default: requestTimeout, minimum: .seconds(1))
        maxCallsPerMinute = try t.integer("max_calls_per_minute", default: maxCallsPerMinute, in: 0...100_000)
        maxConcurrency = try t.integer("max_concurrency", default: maxConcurrency, in: 1...256)
        queueLength = try t.integer("queue_length", default: queueLength, in: 1...1_000_000)
        cacheSize = try t.integer("cache_size", default: cacheSize, in: 0...10_000_000)
        cacheMaxBytes = try t.byteSize("cache_max_bytes", default: cacheMaxBytes, in: (64 << 10)...(4 << 30))
        maxTokens = try t.integer("max_tokens", default: maxTokens, in: 16...32_768)
        temperature = try t.double("temperature", default: temperature, in: 0...2)
        windowPrompt = try t.bool("window_prompt", default: windowPrompt)
        demo = try t.bool("demo", default: demo)
        rejudgeSkipped = try t.bool("rejudge_skipped", default: rejudgeSkipped)
        rejudgeInterval = try t.duration("rejudge_interval", default: rejudgeInterval, minimum: .seconds(1))
        rejudgeCapacity = try t.integer("rejudge_capacity", default: rejudgeCapacity, in: 1...1_000_000)
        fewShotExamples = try t.integer("few_shot_examples", default: fewShotExamples, in: 0...32)
        fewShotMaxTokens = try t.integer("few_shot_max_tokens", default: fewShotMaxTokens, in: 0...32_768)
        fewShotFile = try t.optionalString("few_shot_file")
        if let f = fewShotFile, !f.hasPrefix("/") { throw t.error("few_shot_file", "must be an absolute path") }
        try t.finish()
    }
}

/// `[store]`: the zstd ring of alerts.
public struct StoreConfig: Sendable, Hashable {
    /// Relative paths are under the daemon's state directory.
    public var directory = "alerts"
    /// The ring's total size; the oldest segment is dropped beyond it.
    public var maxBytes = 256 << 20
    public var segmentBytes = 8 << 20
    /// Alerts older than this are dropped even when there is room.
    public var retention: Duration = .seconds(30 * 86400)
    /// When the ring is full, alerts with an abnormal verdict or an operator label outlive the
    /// rest while they take at most this fraction of it (0: no protection). Sources under an
    /// equal share of the ring keep their alerts too.
    public var protectedShare = 0.5
    /// Batched fsync interval; alerts with an abnormal verdict are synced at once.
    public var syncInterval: Duration = .seconds(1)

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        directory = try t.string("directory", default: directory)
        guard !directory.isEmpty else { throw t.error("directory", "is empty") }
        maxBytes = try t.byteSize("max_bytes", default: maxBytes, in: (1 << 20)...(1 << 40))
        segmentBytes = try t.byteSize("segment_bytes", default: segmentBytes, in: (64 << 10)...(1 << 30))
        if segmentBytes * 2 > maxBytes { throw t.error("segment_bytes", "must be at most half of max_bytes so the ring keeps two segments") }
        retention = try t.duration("retention", default: retention, minimum: .seconds(60))
        protectedShare = try t.double("protected_share", default: protectedShare, in: 0...0.9)
        syncInterval = try t.duration("sync_interval", default: syncInterval, minimum: .milliseconds(10))
        try t.finish()
    }
}

/// `[control]`: the varlink control socket.
public struct ControlConfig: Sendable, Hashable {
    public var socket = "/run/rationd/io.rationd"
    /// Group owning the socket (mode 0660); nil: the daemon's primary group.
    public var group: String?
    /// Requests larger than this get a varlink error and the connection is closed.
    public var maxMessageBytes = 1 << 20
    /// Connections served at once; more get `io.rationd.TooManyConnections` and are closed.
    /// Users other than root get all but one, so root can always connect.
    public var maxConnections = 128
    /// A connection with no complete request for this long is closed, so silent clients
    /// cannot hold the connection slots.
    public var idleTimeout: Duration = .seconds(60)
    /// A call the daemon takes longer than this to answer gets `io.rationd.Timeout`.
    public var requestTimeout: Duration = .seconds(30)

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        socket = try t.string("socket", default: socket)
        guard socket.hasPrefix("/") else { throw t.error("socket", "must be an absolute path") }
        guard socket.utf8.count < 108 else { throw t.error("socket", "is longer than a Unix socket path may be (107 bytes)") }
        group = try t.optionalString("group")
        maxMessageBytes = try t.byteSize("max_message_bytes", default: maxMessageBytes, in: (4 << 10)...(256 << 20))
        maxConnections = try t.integer("max_connections", default: maxConnections, in: 2...65_536)
        idleTimeout = try t.duration("idle_timeout", default: idleTimeout, minimum: .seconds(1))
        requestTimeout = try t.duration("request_timeout", default: requestTimeout, minimum: .seconds(1))
        try t.finish()
    }
}

/// `[daemon]`: process-wide settings.
public struct DaemonConfig: Sendable, Hashable {
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Checkpoints, snapshots and the store; systemd's `$STATE_DIRECTORY` wins when set.
    public var stateDirectory = "/var/lib/rationd"
    public var logLevel: LogLevel = .info
    /// Capacity of each queue between stages; a full queue slows the sources, never grows.
    public var queueCapacity = 4096
    /// Bytes of records the ingest queue holds (messages and their bookkeeping); a full queue slows the sources.
    public var queueMaxBytes = 16 << 20
    /// How often `STATUS=` is sent to systemd.
    public var statusInterval: Duration = .seconds(10)
    /// How long the drain on SIGTERM may take before in-flight LLM calls are abandoned.
    public var shutdownTimeout: Duration = .seconds(20)

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        stateDirectory = try t.string("state_directory", default: stateDirectory)
        guard stateDirectory.hasPrefix("/") else { throw t.error("state_directory", "must be an absolute path") }
        logLevel = try t.choice("log_level", default: logLevel)
        queueCapacity = try t.integer("queue_capacity", default: queueCapacity, in: 16...1_000_000)
        queueMaxBytes = try t.byteSize("queue_max_bytes", default: queueMaxBytes, in: (64 << 10)...(4 << 30))
        statusInterval = try t.duration("status_interval", default: statusInterval, minimum: .seconds(1))
        shutdownTimeout = try t.duration("shutdown_timeout", default: shutdownTimeout, minimum: .seconds(1))
        try t.finish()
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
