/// The well-known fields rationd uses; journald names in comments.
///
/// A value type whose field values are held by reference: copies share them, so the records
/// of one file (or one journal unit) carry one pointer, not a copy of every string, and
/// copying a record costs one retain. Setting a field makes new storage; build a source's
/// fields once and copy them into its records. `truncated` is stored inline because it
/// varies per record.
public struct RecordFields: Sendable, Hashable, Codable {
    @usableFromInline var values: RecordFieldValues
    /// Set by file sources when a line over the cap was split.
    public var truncated: Bool

    public init(priority: Priority? = nil, unit: String? = nil, identifier: String? = nil, pid: Int32? = nil,
                bootID: String? = nil, hostname: String? = nil, path: String? = nil, truncated: Bool = false) {
        if unit == nil && identifier == nil && pid == nil && bootID == nil && hostname == nil && path == nil {
            // No storage of its own for the common field-less or priority-only record.
            values = priority.map { RecordFieldValues.priorityOnly[$0.rawValue] } ?? RecordFieldValues.none
        } else {
            values = RecordFieldValues(priority: priority, unit: unit, identifier: identifier, pid: pid,
                                       bootID: bootID, hostname: hostname, path: path)
        }
        self.truncated = truncated
    }

    public var priority: Priority? {                     // PRIORITY
        @inlinable get { values.priority }
        set { values = values.with { $0.priority = newValue } }
    }
    public var unit: String? {                           // _SYSTEMD_UNIT
        @inlinable get { values.unit }
        set { values = values.with { $0.unit = newValue } }
    }
    public var identifier: String? {                     // SYSLOG_IDENTIFIER
        @inlinable get { values.identifier }
        set { values = values.with { $0.identifier = newValue } }
    }
    public var pid: Int32? {                             // _PID
        @inlinable get { values.pid }
        set { values = values.with { $0.pid = newValue } }
    }
    public var bootID: String? {                         // _BOOT_ID
        @inlinable get { values.bootID }
        set { values = values.with { $0.bootID = newValue } }
    }
    public var hostname: String? {                       // _HOSTNAME
        @inlinable get { values.hostname }
        set { values = values.with { $0.hostname = newValue } }
    }
    /// File sources: the file the line came from.
    public var path: String? {
        @inlinable get { values.path }
        set { values = values.with { $0.path = newValue } }
    }

    /// Whether `self` and `other` hold the same field storage (not merely equal values): the
    /// records of one file share it.
    @inlinable
    public func sharesStorage(with other: RecordFields) -> Bool { values === other.values }

    public static func == (a: RecordFields, b: RecordFields) -> Bool {
        a.truncated == b.truncated && (a.values === b.values || a.values.fields == b.values.fields)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(values.fields)
        hasher.combine(truncated)
    }

    private enum CodingKeys: String, CodingKey {
        case priority, unit, identifier, pid, bootID, hostname, path, truncated
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(priority: try c.decodeIfPresent(Priority.self, forKey: .priority),
                  unit: try c.decodeIfPresent(String.self, forKey: .unit),
                  identifier: try c.decodeIfPresent(String.self, forKey: .identifier),
                  pid: try c.decodeIfPresent(Int32.self, forKey: .pid),
                  bootID: try c.decodeIfPresent(String.self, forKey: .bootID),
                  hostname: try c.decodeIfPresent(String.self, forKey: .hostname),
                  path: try c.decodeIfPresent(String.self, forKey: .path),
                  truncated: try c.decode(Bool.self, forKey: .truncated))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(priority, forKey: .priority)
        try c.encodeIfPresent(unit, forKey: .unit)
        try c.encodeIfPresent(identifier, forKey: .identifier)
        try c.encodeIfPresent(pid, forKey: .pid)
        try c.encodeIfPresent(bootID, forKey: .bootID)
        try c.encodeIfPresent(hostname, forKey: .hostname)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encode(truncated, forKey: .truncated)
    }
}

/// The shared, immutable storage of `RecordFields`.
@usableFromInline
final class RecordFieldValues: Sendable {
    @usableFromInline
    struct Fields: Hashable, Sendable {
        @usableFromInline var priority: Priority?
        @usableFromInline var unit: String?
        @usableFromInline var identifier: String?
        @usableFromInline var pid: Int32?
        @usableFromInline var bootID: String?
        @usableFromInline var hostname: String?
        @usableFromInline var path: String?
    }

    @usableFromInline let fields: Fields

    static let none = RecordFieldValues(Fields())
    /// One per priority, indexed by its raw value.
    static let priorityOnly = (0...7).map { RecordFieldValues(Fields(priority: Priority(rawValue: $0))) }

    init(_ fields: Fields) { self.fields = fields }

    convenience init(priority: Priority?, unit: String?, identifier: String?, pid: Int32?, bootID: String?,
                     hostname: String?, path: String?) {
        self.init(Fields(priority: priority, unit: unit, identifier: identifier, pid: pid, bootID: bootID,
                         hostname: hostname, path: path))
    }

    @usableFromInline var priority: Priority? { fields.priority }
    @usableFromInline var unit: String? { fields.unit }
    @usableFromInline var identifier: String? { fields.identifier }
    @usableFromInline var pid: Int32? { fields.pid }
    @usableFromInline var bootID: String? { fields.bootID }
    @usableFromInline var hostname: String? { fields.hostname }
    @usableFromInline var path: String? { fields.path }

    /// A copy with one change.
    func with(_ change: (inout Fields) -> Void) -> RecordFieldValues {
        var copy = fields
        change(&copy)
        return RecordFieldValues(copy)
    }
}
