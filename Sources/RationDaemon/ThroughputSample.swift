/// Counters at one moment, for the rates systemd's STATUS= line shows: two samples give lines/s,
/// windows/s and LLM calls/min over the status interval between them.
public struct ThroughputSample: Sendable, Hashable {
    /// Seconds on a monotonic clock.
    public var seconds: Double
    public var records: Int
    public var windows: Int
    public var llmCalls: Int

    public init(seconds: Double, records: Int, windows: Int, llmCalls: Int) {
        self.seconds = seconds
        self.records = records
        self.windows = windows
        self.llmCalls = llmCalls
    }

    /// `"1234 lines/s, 5.0 windows/s, 2 LLM calls/min"` since `earlier`; nil without time between
    /// them. A counter that went back (a reload restarted it) counts from zero.
    public func rates(since earlier: ThroughputSample) -> String? {
        let elapsed = seconds - earlier.seconds
        guard elapsed > 0 else { return nil }
        func delta(_ now: Int, _ then: Int) -> Double { Double(now >= then ? now - then : now) }
        let lines = delta(records, earlier.records) / elapsed
        let windows = delta(self.windows, earlier.windows) / elapsed
        let calls = delta(llmCalls, earlier.llmCalls) / elapsed * 60
        return "\(Int(lines.rounded())) lines/s, \(Self.oneDecimal(windows)) windows/s, \(Int(calls.rounded())) LLM calls/min"
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
