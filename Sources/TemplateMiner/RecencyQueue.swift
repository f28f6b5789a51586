/// Exact least-recently-matched order of template slots at the cost of one store per
/// match: each slot has a last-use tick; a min-heap holds one entry per live slot whose tick
/// may be older than the slot's real one. Finding the least recent slot pops entries and
/// re-files the outdated ones with their real tick, so the slot finally returned has the
/// smallest real tick (every other slot's real tick is at least its heap tick). A slot has at
/// most one heap entry; a removed slot's entry is dropped when it reaches the top, or takes
/// the new tick if the slot is reused before that.
struct RecencyQueue: Sendable {
    struct Entry: Sendable {
        var tick: UInt64
        var slot: Int32
    }

    /// Last-use tick by slot (0 for a slot not in the queue).
    private(set) var lastUse: [UInt64] = []
    private var heap: [Entry] = []
    /// Whether a slot has an entry in the heap (current or left by a removal).
    private var queued: [Bool] = []
    private var clock: UInt64 = 1

    private(set) var count = 0

    /// Adds a slot as the most recently used.
    mutating func insert(_ slot: Int32) {
        let s = Int(slot)
        if s >= lastUse.count {
            queued += repeatElement(false, count: s - lastUse.count + 1)
            lastUse += repeatElement(0, count: s - lastUse.count + 1)
        }
        lastUse[s] = clock
        if !queued[s] {
            queued[s] = true
            push(Entry(tick: clock, slot: slot))
        }
        clock += 1
        count += 1
    }

    /// Takes a slot out of the order.
    mutating func remove(_ slot: Int32) {
        guard lastUse[Int(slot)] != 0 else { return }
        lastUse[Int(slot)] = 0
        count -= 1
    }

    /// Marks a slot in the queue as just used.
    @inline(__always)
    mutating func touch(_ slot: Int32) {
        lastUse[Int(slot)] = clock
        clock += 1
    }

    /// Removes and returns the least recently used slot.
    mutating func popLeastRecent() -> Int32? {
        while let top = heap.first {
            let real = lastUse[Int(top.slot)]
            if real == 0 {
                popTop()
                queued[Int(top.slot)] = false
                continue
            }
            if real == top.tick {
                popTop()
                queued[Int(top.slot)] = false
                lastUse[Int(top.slot)] = 0
                count -= 1
                return top.slot
            }
            heap[0].tick = real
            siftDown(0)
        }
        return nil
    }

    /// Slots from least to most recently used.
    var slotsByRecency: [Int32] {
        heap.map(\.slot).filter { lastUse[Int($0)] != 0 }.sorted { lastUse[Int($0)] < lastUse[Int($1)] }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].tick <= heap[i].tick { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let left = 2 * i + 1
            if left >= n { return }
            var smallest = left
            if left + 1 < n && heap[left + 1].tick < heap[left].tick { smallest = left + 1 }
            if heap[i].tick <= heap[smallest].tick { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}
