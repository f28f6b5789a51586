/// `[sessionizer]`: how events are grouped into windows.
public struct SessionizerConfig: Sendable, Hashable {
    /// The journal field that keys journal sessions.
    public var journalKeyField = "_SYSTEMD_UNIT"
    /// A session closes after this long without events.
    public var idleGap: Duration = .seconds(30)
    /// A session closes after this many events.
    public var maxEvents = 200
    /// A session closes after this long since its first event.
    public var maxDuration: Duration = .seconds(300)
    /// Keyless streams: events per count window.
    public var countWindow = 50
    /// Keyless streams: events between window starts (equal to `countWindow`: fixed windows).
    public var countStep = 50

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        journalKeyField = try t.string("journal_key_field", default: journalKeyField)
        guard !journalKeyField.isEmpty, journalKeyField.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) else {
            throw t.error("journal_key_field", "\"\(journalKeyField)\" is not a journal field name (A-Z, 0-9, _)")
        }
        idleGap = try t.duration("idle_gap", default: idleGap, minimum: .milliseconds(100))
        maxEvents = try t.integer("max_events", default: maxEvents, in: 1...100_000)
        maxDuration = try t.duration("max_duration", default: maxDuration, minimum: .seconds(1))
        countWindow = try t.integer("count_window", default: countWindow, in: 1...100_000)
        countStep = try t.integer("count_step", default: countStep, in: 1...100_000)
        if countStep > countWindow { throw t.error("count_step", "\(countStep) is larger than count_window \(countWindow): events would be skipped") }
        try t.finish()
    }
}

/// `[triage]`: the statistical pre-filter.
public struct TriageConfig: Sendable, Hashable {
    /// Windows scoring at or above this many bits of surprise are escalated (alerted, and
    /// reasoned about); the same unit as the scores `rationctl alerts` shows.
    public var threshold = 8.0
    /// Escalations allowed per hour of event time; past it windows are counted, not alerted (0 = no limit).
    public var escalationBudgetPerHour = 600
    /// Windows seen before rarity scores count; before that only severity and new templates score.
    public var warmupWindows = 200
    /// A template, transition or count vector seen in fewer than this share of learned windows is rare.
    public var rareFraction = 0.05
    /// A rate this many times the baseline counts as a burst.
    public var burstFactor = 5.0
    /// Fewer events than this in a window are never a burst.
    public var burstMinimumEvents = 50
    /// How often the learned baseline is snapshotted.
    public var snapshotInterval: Duration = .seconds(300)

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        threshold = try t.double("threshold", default: threshold, in: 0...10_000)
        escalationBudgetPerHour = try t.integer("escalation_budget_per_hour", default: escalationBudgetPerHour, in: 0...100_000_000)
        warmupWindows = try t.integer("warmup_windows", default: warmupWindows, in: 0...10_000_000)
        rareFraction = try t.double("rare_fraction", default: rareFraction, in: 0...1)
        burstFactor = try t.double("burst_factor", default: burstFactor, in: 1...1_000_000)
        burstMinimumEvents = try t.integer("burst_min_events", default: burstMinimumEvents, in: 1...100_000_000)
        snapshotInterval = try t.duration("snapshot_interval", default: snapshotInterval, minimum: .seconds(1))
        try t.finish()
    }
}
