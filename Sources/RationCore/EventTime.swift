/// Wall-clock time of an event in microseconds since the Unix epoch, as journald records it.
/// Pipeline stages take time only from records (or `advance(to:)`), never from a clock.
public struct EventTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64
    public init(microsecondsSinceEpoch: Int64) { self.microsecondsSinceEpoch = microsecondsSinceEpoch }
    public init(secondsSinceEpoch: Double) { self.microsecondsSinceEpoch = Int64(secondsSinceEpoch * 1_000_000) }

    public static let zero = EventTime(microsecondsSinceEpoch: 0)
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch }

    public var secondsSinceEpoch: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    public func adding(_ duration: Duration) -> EventTime {
        EventTime(microsecondsSinceEpoch: microsecondsSinceEpoch + duration.microseconds)
    }
    /// `self - earlier` as a Duration (negative when `earlier` is later).
    public func since(_ earlier: EventTime) -> Duration {
        .microseconds(microsecondsSinceEpoch - earlier.microsecondsSinceEpoch)
    }
    public var description: String { "\(microsecondsSinceEpoch)us" }
}

extension Duration {
    /// Whole microseconds, truncated.
    public var microseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000 + atto / 1_000_000_000_000
    }
}
