/// A mined template's identity. Stable for the life of the template: it survives
/// generalisation (the text gains `<*>`) and restarts (it is part of the miner snapshot).
public struct TemplateID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "T\(rawValue)" }
}

extension TemplateID {
    /// Tables keyed by template id (a window's templates, triage's statistics) are looked up
    /// for every event and window: the id, a counter the miner assigns, is mixed with one
    /// SplitMix64 finalizer rather than run through SipHash, which guards against chosen keys
    /// that ids are not.
    public func _rawHashValue(seed: Int) -> Int {
        var x = rawValue ^ UInt64(UInt(bitPattern: seed))
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: x ^ (x >> 31))
    }
}
