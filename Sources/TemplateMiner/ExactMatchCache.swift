/// Masked token sequence hash -> template, as an open-addressing table keyed by the
/// already well-mixed 64-bit sequence hash (no rehashing through `Hasher`). Bounded: when
/// it holds `capacity` entries it is cleared, and lines rebuild it through the tree. An entry
/// names the slot and the id that must still be in it, so evicted templates are never hit.
/// The table starts small and doubles as it fills, up to the size `capacity` needs, so a
/// miner that has seen few distinct lines (an idle daemon) does not hold megabytes of empty slots.
struct ExactMatchCache: Sendable {
    struct Entry: Sendable {
        var key: UInt64 = 0
        var id: UInt64 = 0
        var slot: Int32 = -1
    }

    private var entries: [Entry]
    private var mask: Int
    private let limit: Int
    /// The table size `limit` entries need (at most three-quarters full).
    private let maxSize: Int
    private(set) var count = 0

    static let initialSize = 1024

    /// Room for at least `capacity` entries; 0 disables the cache.
    init(capacity: Int) {
        var size = 16
        while size * 3 / 4 < capacity { size <<= 1 }
        maxSize = size
        let initial = min(size, Self.initialSize)
        entries = capacity > 0 ? Array(repeating: Entry(), count: initial) : []
        mask = initial - 1
        limit = capacity
    }

    @inline(__always)
    func lookup(_ key: UInt64) -> Entry? {
        if entries.isEmpty { return nil }
        return entries.withUnsafeBufferPointer { e in
            var i = Int(truncatingIfNeeded: key) & mask
            while true {
                let entry = e[i]
                if entry.slot < 0 { return nil }
                if entry.key == key { return entry }
                i = (i + 1) & mask
            }
        }
    }

    mutating func insert(_ key: UInt64, id: UInt64, slot: Int32) {
        if entries.isEmpty { return }
        if count >= limit {
            removeAll()
        } else if entries.count < maxSize, (count + 1) * 4 > entries.count * 3 {
            grow()
        }
        let mask = self.mask
        let inserted: Bool = entries.withUnsafeMutableBufferPointer { e in
            let i = Self.cell(for: key, in: e, mask: mask)
            let fresh = e[i].slot < 0
            e[i] = Entry(key: key, id: id, slot: slot)
            return fresh
        }
        if inserted { count += 1 }
    }

    /// Doubles the table and re-inserts the live entries.
    private mutating func grow() {
        let old = entries
        let size = entries.count * 2
        entries = Array(repeating: Entry(), count: size)
        mask = size - 1
        let mask = self.mask
        entries.withUnsafeMutableBufferPointer { e in
            for entry in old where entry.slot >= 0 { e[Self.cell(for: entry.key, in: e, mask: mask)] = entry }
        }
    }

    /// The cell holding `key`, or the empty cell where it belongs.
    @inline(__always)
    private static func cell(for key: UInt64, in e: UnsafeMutableBufferPointer<Entry>, mask: Int) -> Int {
        var i = Int(truncatingIfNeeded: key) & mask
        while e[i].slot >= 0 && e[i].key != key { i = (i + 1) & mask }
        return i
    }

    mutating func removeAll() {
        for i in entries.indices { entries[i] = Entry() }
        count = 0
    }

    /// Live entries, for snapshots.
    var all: [Entry] { entries.filter { $0.slot >= 0 } }
}
