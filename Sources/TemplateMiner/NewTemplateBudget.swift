import RationCore

/// How many new templates one source may still create: a bucket that holds a minute's worth
/// (`perMinute`) and refills continuously with the records' own time (no clock). Spent only
/// when a line really creates a template, so a source whose lines all match costs nothing.
public struct NewTemplateBudget: Sendable, Hashable {
    public let perMinute: Int
    private var tokens: Double
    private var last: EventTime?

    /// `perMinute` 0 never limits.
    public init(perMinute: Int) {
        self.perMinute = perMinute
        tokens = Double(perMinute)
    }

    /// Whether a line seen at `time` may create a template (refills up to then first).
    public mutating func allows(at time: EventTime) -> Bool {
        guard perMinute > 0 else { return true }
        if let last, time <= last { return tokens >= 1 }
        if let last {
            let minutes = Double(time.microsecondsSinceEpoch - last.microsecondsSinceEpoch) / 60e6
            tokens = min(Double(perMinute), tokens + minutes * Double(perMinute))
        }
        last = time
        return tokens >= 1
    }

    /// A template was created.
    public mutating func spend() {
        if perMinute > 0 { tokens = max(0, tokens - 1) }
    }
}
