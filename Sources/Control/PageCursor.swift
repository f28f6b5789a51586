/// Where a page of a list method ended: the sort key and id of the last item returned.
/// Lists are ordered by (key, id), both descending, so "after the cursor" is a filter every
/// handler can apply before its limit, and a later page never repeats an item of an earlier
/// one. Its text form (`KEY:ID`) is what the `after` parameter and the `next` reply field
/// carry; clients pass it back unchanged.
public struct PageCursor: Sendable, Hashable, CustomStringConvertible {
    public var key: Int64
    public var id: UInt64

    public init(key: Int64, id: UInt64) {
        self.key = key
        self.id = id
    }

    /// Parses the text form; nil when it is not `KEY:ID`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let key = Int64(parts[0]), let id = UInt64(parts[1]) else { return nil }
        self.init(key: key, id: id)
    }

    public var description: String { "\(key):\(id)" }

    /// Whether an item with this key and id comes after the cursor in (key, id) descending order.
    public func precedes(key: Int64, id: UInt64) -> Bool {
        key < self.key || (key == self.key && id < self.id)
    }
}
