/// Bounded max-priority queue: highest suspicion first, FIFO among equals. When full, a
/// more suspicious arrival evicts the least suspicious entry. The heap holds only
/// (score, sequence, slot) triples; elements stay put in slots, so ordering and the
/// full-queue check never copy a window.
public struct SuspicionQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    private struct Entry: Sendable {
        var score: Double
        var sequence: UInt64
        var slot: Int
    }

    private var heap: [Entry] = []
    private var slots: [Element?]
    private var freeSlots: [Int]
    private var sequence: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        heap.reserveCapacity(capacity)
        slots = Array(repeating: nil, count: capacity)
        freeSlots = Array((0..<capacity).reversed())
    }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var isFull: Bool { heap.count >= capacity }

    public enum Insertion {
        case inserted
        /// Inserted; the returned element was evicted to make room.
        case insertedEvicting(Element)
        /// Full and the element is not more suspicious than anything queued.
        case rejected
    }

    public mutating func insert(_ element: Element, score: Double) -> Insertion {
        if heap.count < capacity {
            push(element, score: score)
            return .inserted
        }
        // The minimum of a max-heap is among the leaves.
        var minIndex = heap.count / 2
        for index in (heap.count / 2 + 1)..<heap.count where lower(heap[index], heap[minIndex]) { minIndex = index }
        guard score > heap[minIndex].score else { return .rejected }
        let evicted = take(at: minIndex)
        push(element, score: score)
        return .insertedEvicting(evicted)
    }

    public mutating func popMax() -> Element? {
        heap.isEmpty ? nil : take(at: 0)
    }

    /// a is lower priority than b.
    private func lower(_ a: Entry, _ b: Entry) -> Bool {
        a.score != b.score ? a.score < b.score : a.sequence > b.sequence
    }

    private mutating func push(_ element: Element, score: Double) {
        sequence += 1
        let slot = freeSlots.removeLast()
        slots[slot] = element
        heap.append(Entry(score: score, sequence: sequence, slot: slot))
        siftUp(heap.count - 1)
    }

    private mutating func take(at index: Int) -> Element {
        let slot = heap[index].slot
        let element = slots[slot].take()!
        freeSlots.append(slot)
        heap.swapAt(index, heap.count - 1)
        heap.removeLast()
        if index < heap.count {
            siftDown(index)
            siftUp(index)
        }
        return element
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard lower(heap[parent], heap[child]) else { return }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count, lower(heap[best], heap[left]) { best = left }
            if right < heap.count, lower(heap[best], heap[right]) { best = right }
            if best == parent { return }
            heap.swapAt(parent, best)
            parent = best
        }
    }
}
