/// A mined template's identity. Stable for the life of the template: it survives
/// generalisation (the text gains `<*>`) and restarts (it is part of the miner snapshot).
public struct TemplateID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "T\(rawValue)" }
}
