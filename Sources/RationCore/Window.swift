/// A closed group of events that triage scores and reasoning judges as one unit.
public struct Window: Sendable, Hashable, Codable {
    public var key: SessionKey
    public var source: SourceID
    public var start: EventTime
    public var end: EventTime
    /// The first events of the window, bounded; `eventCount` counts all of them.
    public var events: [WindowEvent]
    public var eventCount: Int
    /// Text of every template that occurs in `events`, so the window is readable on its own.
    public var templates: [TemplateID: String]

    public init(key: SessionKey, source: SourceID, start: EventTime, end: EventTime, events: [WindowEvent],
                eventCount: Int? = nil, templates: [TemplateID: String] = [:]) {
        self.key = key
        self.source = source
        self.start = start
        self.end = end
        self.events = events
        self.eventCount = eventCount ?? events.count
        self.templates = templates
    }

    /// Distinct templates in first-seen order.
    public var distinctTemplates: [TemplateID] {
        var seen = Set<TemplateID>()
        return events.compactMap { seen.insert($0.templateID).inserted ? $0.templateID : nil }
    }

    /// Distinct units of the events, in first-seen order.
    public var distinctUnits: [String] {
        var seen = Set<String>()
        return events.compactMap(\.unit).filter { seen.insert($0).inserted }
    }
}

/// How a window was keyed: a session id captured from the message, a record field, or a
/// count/time window over a keyless stream.
public struct SessionKey: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { rawValue }
}

public struct WindowEvent: Sendable, Hashable, Codable {
    public var time: EventTime
    public var templateID: TemplateID
    /// The message as logged, capped in length; `message` renders it. Kept as bytes because
    /// most events are never displayed (only escalated windows are), and because the bytes of
    /// a message that has an array of its own are shared with its record, not copied.
    public var messageBytes: [UInt8]
    public var priority: Priority?
    public var unit: String?

    public init(time: EventTime, templateID: TemplateID, message: String, priority: Priority? = nil,
                unit: String? = nil) {
        self.init(time: time, templateID: templateID, messageBytes: Array(message.utf8), priority: priority, unit: unit)
    }

    public init(time: EventTime, templateID: TemplateID, messageBytes: [UInt8], priority: Priority? = nil,
                unit: String? = nil) {
        self.time = time
        self.templateID = templateID
        self.messageBytes = messageBytes
        self.priority = priority
        self.unit = unit
    }

    /// The message for display: invalid UTF-8 replaced by U+FFFD.
    public var message: String {
        get { String(decoding: messageBytes, as: UTF8.self) }
        set { messageBytes = Array(newValue.utf8) }
    }

    private enum CodingKeys: String, CodingKey { case time, templateID, message, priority, unit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try c.decode(EventTime.self, forKey: .time),
                  templateID: try c.decode(TemplateID.self, forKey: .templateID),
                  message: try c.decode(String.self, forKey: .message),
                  priority: try c.decodeIfPresent(Priority.self, forKey: .priority),
                  unit: try c.decodeIfPresent(String.self, forKey: .unit))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(templateID, forKey: .templateID)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encodeIfPresent(unit, forKey: .unit)
    }
}
