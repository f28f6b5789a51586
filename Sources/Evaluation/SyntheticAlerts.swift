import AlertStore
import RationCore

/// Deterministic, realistic-looking alerts for the store's benchmark and crash test: alert
/// `n` is always the same, so a reader can check what a writer stored byte for byte.
public struct SyntheticAlerts: Sendable {
    public var units: Int
    public var eventsPerWindow: Int
    /// Every `repeatEvery`-th alert reuses one of a few fixed template sets, so it aggregates.
    public var repeatEvery: Int
    public var start: EventTime
    /// Event-time step between consecutive alerts.
    public var step: Duration

    public init(units: Int = 50, eventsPerWindow: Int = 12, repeatEvery: Int = 4,
                start: EventTime = EventTime(microsecondsSinceEpoch: 1_767_225_600_000_000), step: Duration = .seconds(1)) {
        self.units = units
        self.eventsPerWindow = eventsPerWindow
        self.repeatEvery = repeatEvery
        self.start = start
        self.step = step
    }

    public func unit(of n: Int) -> String { "svc\(n % units).service" }

    /// The session key of alert `n`; an aggregated alert keeps the key of its first occurrence.
    public static func key(_ n: Int) -> SessionKey { SessionKey("session-\(n)") }

    /// Recovers `n` from a session key made by `key(_:)`.
    public static func number(of key: SessionKey) -> Int? {
        guard key.rawValue.hasPrefix("session-") else { return nil }
        return Int(key.rawValue.dropFirst("session-".count))
    }

    public func alert(_ n: Int) -> Alert {
        var rng = SplitMix64(seed: UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let time = start.adding(step * n)
        let unit = unit(of: n)
        let repeating = repeatEvery > 0 && n % repeatEvery == 0
        let templateBase: UInt64 = repeating ? UInt64((n / repeatEvery) % 3) * 10 : 1000 + UInt64(n) * 4
        var events: [WindowEvent] = []
        var templates: [TemplateID: String] = [:]
        for i in 0..<eventsPerWindow {
            let tid = TemplateID(templateBase + UInt64(i % 4))
            let priority: Priority = repeating ? .warning : Priority(rawValue: Int(rng.next() % 7) + 1) ?? .info
            let block = rng.next() % 1_000_000
            let message = "worker \(n % 17) block blk_\(block) state \(i) took \(rng.next() % 900) ms on node-\(n % 29)"
            events.append(WindowEvent(time: time.adding(.milliseconds(i * 40)), templateID: tid, message: message,
                                      priority: priority, unit: unit))
            templates[tid] = "worker <*> block <*> state <*> took <*> ms on <*> (T\(tid.rawValue))"
        }
        let source: SourceID = repeating ? "journal" : (n % 3 == 0 ? "files.app" : "journal")
        let window = Window(key: Self.key(n), source: source, start: time,
                            end: time.adding(.milliseconds(eventsPerWindow * 40)), events: events,
                            eventCount: eventsPerWindow + Int(rng.next() % 40), templates: templates)
        let score = Double(rng.next() % 1000) / 100
        let suspicion = Suspicion(score: score, reasons: [
            SuspicionReason(kind: .rareTemplate, score: score / 2, templateID: TemplateID(templateBase),
                            detail: "seen \(rng.next() % 9 + 1) times in \(rng.next() % 90_000 + 10_000) windows"),
            SuspicionReason(kind: .countDeviation, score: score / 2, detail: "count \(rng.next() % 20) vs baseline 2.1"),
        ], escalated: true)
        let verdict: Verdict
        switch n % 5 {
        case 0: verdict = .skipped("budget exhausted")
        case 1, 2:
            verdict = Verdict(label: .normal, status: .verified,
                              rationale: "The window shows routine block transfers on node-\(n % 29) without errors.",
                              model: "smollm2-135m", verifierScore: 1.1, latency: .milliseconds(Int(rng.next() % 4000)),
                              promptTokens: 900, completionTokens: 120)
        default:
            verdict = Verdict(label: .abnormal, status: .verified,
                              rationale: "State \(n % 7) repeats with rising latency; the block is re-replicated, which indicates a failing datanode.",
                              model: "smollm2-135m", verifierScore: 0.9, latency: .milliseconds(Int(rng.next() % 4000)),
                              promptTokens: 1100, completionTokens: 180)
        }
        return Alert(id: AlertID(0), firstSeen: time, lastSeen: window.end, host: "host-\(n % 3)", window: window,
                     suspicion: suspicion, verdict: verdict)
    }
}

