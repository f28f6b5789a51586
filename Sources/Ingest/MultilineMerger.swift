/// Joins continuation lines (stack traces) onto the line that starts a record. A line
/// matching the start pattern opens a new record; other lines are appended with `\n` until
/// the next start line, `maxLines`, or `timeout` without a new line. Pure value type: time
/// arrives as a monotonic nanosecond count from the caller.
public struct MultilineMerger: Sendable {
    private let start: PosixRegex
    public let maxLines: Int
    public let timeoutNanoseconds: UInt64

    private var pending: LineSplitter.Line?
    private var pendingLines = 0
    private var lastLineAt: UInt64 = 0

    public init(_ rule: FileSourceConfiguration.Multiline, key: String = "multiline.start_pattern") throws(IngestError) {
        start = try PosixRegex(rule.startPattern, key: key)
        maxLines = max(1, rule.maxLines)
        let (s, atto) = rule.timeout.components
        timeoutNanoseconds = UInt64(max(0, s)) * 1_000_000_000 + UInt64(max(0, atto)) / 1_000_000_000
    }

    /// When the held record times out, or nil when nothing is held.
    public var deadline: UInt64? { pending == nil ? nil : lastLineAt &+ timeoutNanoseconds }

    public var isHolding: Bool { pending != nil }

    public mutating func push(_ line: LineSplitter.Line, now: UInt64, _ emit: (LineSplitter.Line) -> Void) {
        if var current = pending, pendingLines < maxLines, !start.matches(line.bytes) {
            current.bytes.append(0x0A)
            current.bytes.append(contentsOf: line.bytes)
            current.endOffset = line.endOffset
            current.truncated = current.truncated || line.truncated
            pending = current
            pendingLines += 1
        } else {
            if let done = pending { emit(done) }
            pending = line
            pendingLines = 1
        }
        lastLineAt = now
    }

    /// The held record when it has waited `timeout` without a continuation.
    public mutating func flush(now: UInt64) -> LineSplitter.Line? {
        guard let deadline, now >= deadline else { return nil }
        return flush()
    }

    /// The held record, regardless of time (end of a file).
    public mutating func flush() -> LineSplitter.Line? {
        defer {
            pending = nil
            pendingLines = 0
        }
        return pending
    }
}
