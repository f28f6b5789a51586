/// Exact least-recently-matched order of template slots: a doubly linked list threaded
/// through two arrays indexed by slot, so inserting, touching, removing and taking the least
/// recent slot are each a few stores, with no allocation per slot. When every line makes a
/// new template (one eviction per line) this replaces a heap of last-use ticks whose pop cost
/// a sift-down of log n levels per eviction.
struct RecencyQueue: Sendable {
    /// Marks a slot that is not in the queue (in `older`).
    private static let absent: Int32 = -2

    /// The next more recent slot, -1 for the most recent.
    private var newer: [Int32] = []
    /// The next less recent slot, -1 for the least recent, `absent` outside the queue.
    private var older: [Int32] = []
    /// Least recent slot, -1 when empty.
    private var oldest: Int32 = -1
    /// Most recent slot, -1 when empty.
    private var newest: Int32 = -1

    private(set) var count = 0

    /// Whether a slot is in the queue.
    func contains(_ slot: Int32) -> Bool {
        Int(slot) < older.count && older[Int(slot)] != Self.absent
    }

    /// Adds a slot as the most recently used (a slot already there is only touched).
    mutating func insert(_ slot: Int32) {
        let s = Int(slot)
        if s >= older.count {
            let grow = s - older.count + 1
            newer += repeatElement(-1, count: grow)
            older += repeatElement(Self.absent, count: grow)
        }
        if older[s] != Self.absent {
            touch(slot)
            return
        }
        append(slot)
        count += 1
    }

    /// Takes a slot out of the order (nothing when it is not there).
    mutating func remove(_ slot: Int32) {
        guard contains(slot) else { return }
        unlink(slot)
        older[Int(slot)] = Self.absent
        count -= 1
    }

    /// Marks a slot in the queue as just used.
    @inline(__always)
    mutating func touch(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        append(slot)
    }

    /// Removes and returns the least recently used slot.
    mutating func popLeastRecent() -> Int32? {
        let slot = oldest
        guard slot >= 0 else { return nil }
        remove(slot)
        return slot
    }

    /// Slots from least to most recently used.
    var slotsByRecency: [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(count)
        var slot = oldest
        while slot >= 0 {
            result.append(slot)
            slot = newer[Int(slot)]
        }
        return result
    }

    /// Links a slot outside the list in as the most recent.
    @inline(__always)
    private mutating func append(_ slot: Int32) {
        let s = Int(slot)
        older[s] = newest
        newer[s] = -1
        if newest >= 0 { newer[Int(newest)] = slot } else { oldest = slot }
        newest = slot
    }

    /// Unlinks a slot of the list, leaving its own links stale.
    @inline(__always)
    private mutating func unlink(_ slot: Int32) {
        let s = Int(slot)
        let before = older[s]
        let after = newer[s]
        if before >= 0 { newer[Int(before)] = after } else { oldest = after }
        if after >= 0 { older[Int(after)] = before } else { newest = before }
    }
}
