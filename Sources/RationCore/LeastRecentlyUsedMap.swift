/// A dictionary bounded by entry count and by a total cost (bytes, as the caller accounts
/// them) that forgets its least recently used entries in O(1): the entries sit in array
/// slots threaded on a doubly linked list, most recent at the head, so eviction takes the
/// tail instead of scanning for the oldest.
///
/// The newest entry is always kept, even when it alone costs more than `maxCost`, so a
/// caller can read back what it just inserted; the bound is `maxCost` plus one entry.
public struct LeastRecentlyUsedMap<Key: Hashable, Value> {
    struct Node {
        var key: Key
        var value: Value
        var cost: Int
        var newer: Int32
        var older: Int32
    }

    /// Most entries kept.
    public let capacity: Int
    /// Most total cost kept (see the type's note on the newest entry).
    public let maxCost: Int
    /// The cost of every entry kept.
    public private(set) var totalCost = 0

    private var nodes: [Node?] = []
    private var slots: [Key: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    public init(capacity: Int, maxCost: Int = .max) {
        self.capacity = max(0, capacity)
        self.maxCost = max(0, maxCost)
    }

    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.isEmpty }

    /// The value for `key`, without changing its recency.
    public func peek(_ key: Key) -> Value? {
        slots[key].flatMap { nodes[Int($0)]?.value }
    }

    /// The value for `key`, which becomes the most recently used.
    public mutating func use(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        moveToNewest(slot)
        return nodes[Int(slot)]?.value
    }

    /// Inserts or replaces the value for `key`. A new key becomes the most recently used; a
    /// replaced one does too unless `refresh` is false. Returns the entries evicted to stay
    /// within `capacity` and `maxCost`, least recent first. With a capacity of 0 nothing is
    /// kept and the value itself is returned as evicted.
    @discardableResult
    public mutating func insert(_ value: Value, for key: Key, cost: Int, refresh: Bool = true) -> [(key: Key, value: Value)] {
        guard capacity > 0 else { return [(key, value)] }
        if let slot = slots[key] {
            totalCost += cost - nodes[Int(slot)]!.cost
            nodes[Int(slot)]!.value = value
            nodes[Int(slot)]!.cost = cost
            if refresh { moveToNewest(slot) }
        } else {
            let slot: Int32
            let node = Node(key: key, value: value, cost: cost, newer: -1, older: -1)
            if let free = freeSlots.popLast() {
                slot = free
                nodes[Int(slot)] = node
            } else {
                slot = Int32(nodes.count)
                nodes.append(node)
            }
            slots[key] = slot
            totalCost += cost
            link(slot)
        }
        var evicted: [(key: Key, value: Value)] = []
        while slots.count > capacity || (totalCost > maxCost && slots.count > 1), let gone = removeOldest() {
            evicted.append(gone)
        }
        return evicted
    }

    /// Forgets `key`; returns its value.
    @discardableResult
    public mutating func remove(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        return release(slot).value
    }

    /// Forgets the least recently used entry.
    public mutating func removeOldest() -> (key: Key, value: Value)? {
        guard oldest >= 0 else { return nil }
        return release(oldest)
    }

    /// Every entry, least recently used first (the order to insert them in to rebuild the map).
    public var leastRecentFirst: [(key: Key, value: Value)] {
        var result: [(key: Key, value: Value)] = []
        result.reserveCapacity(slots.count)
        var slot = oldest
        while slot >= 0, let node = nodes[Int(slot)] {
            result.append((node.key, node.value))
            slot = node.newer
        }
        return result
    }

    /// Every value, in no particular order.
    public var values: some Sequence<Value> { nodes.lazy.compactMap { $0?.value } }

    private mutating func release(_ slot: Int32) -> (key: Key, value: Value) {
        unlink(slot)
        let node = nodes[Int(slot)]!
        nodes[Int(slot)] = nil
        slots[node.key] = nil
        freeSlots.append(slot)
        totalCost -= node.cost
        return (node.key, node.value)
    }

    private mutating func moveToNewest(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        link(slot)
    }

    /// Puts an unlinked slot at the head.
    private mutating func link(_ slot: Int32) {
        nodes[Int(slot)]!.older = newest
        nodes[Int(slot)]!.newer = -1
        if newest >= 0 { nodes[Int(newest)]!.newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int32) {
        let node = nodes[Int(slot)]!
        if node.newer >= 0 { nodes[Int(node.newer)]!.older = node.older } else { newest = node.older }
        if node.older >= 0 { nodes[Int(node.older)]!.newer = node.newer } else { oldest = node.newer }
    }
}

extension LeastRecentlyUsedMap: Sendable where Key: Sendable, Value: Sendable {}
extension LeastRecentlyUsedMap.Node: Sendable where Key: Sendable, Value: Sendable {}
