/// What rationd stores and operators query: a suspicious window with its statistical
/// evidence and the reasoning verdict. Repeats of the same signature aggregate into one alert.
public struct Alert: Sendable, Hashable, Codable, Identifiable {
    /// Bumped when the stored form changes; readers refuse newer versions.
    public static let schemaVersion = 1

    public var id: AlertID
    public var firstSeen: EventTime
    public var lastSeen: EventTime
    public var count: Int
    public var host: String?
    public var window: Window
    public var suspicion: Suspicion
    public var verdict: Verdict
    public var operatorLabel: OperatorLabel?

    public init(id: AlertID, firstSeen: EventTime, lastSeen: EventTime, count: Int = 1, host: String? = nil,
                window: Window, suspicion: Suspicion, verdict: Verdict, operatorLabel: OperatorLabel? = nil) {
        self.id = id
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.host = host
        self.window = window
        self.suspicion = suspicion
        self.verdict = verdict
        self.operatorLabel = operatorLabel
    }

    /// Same template set from the same source: repeats aggregate under this signature.
    public var signature: AlertSignature {
        AlertSignature(source: window.source, templates: Set(window.events.map(\.templateID)).sorted())
    }
}

public struct AlertID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

public struct AlertSignature: Hashable, Sendable, Codable {
    public var source: SourceID
    public var templates: [TemplateID]
    public init(source: SourceID, templates: [TemplateID]) {
        self.source = source
        self.templates = templates
    }
}

/// An operator's verdict on an alert or a template.
public struct OperatorLabel: Sendable, Hashable, Codable {
    public var label: Verdict.Label
    public var note: String?
    public var time: EventTime
    public init(label: Verdict.Label, note: String? = nil, time: EventTime) {
        self.label = label
        self.note = note
        self.time = time
    }
}
