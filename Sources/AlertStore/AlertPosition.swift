/// An alert's place in query order (last seen, then id, both descending): where a page of
/// results ended, so the next page starts strictly after it.
public struct AlertPosition: Sendable, Hashable {
    public var lastSeen: Int64
    public var id: UInt64
    public init(lastSeen: Int64, id: UInt64) {
        self.lastSeen = lastSeen
        self.id = id
    }
}
