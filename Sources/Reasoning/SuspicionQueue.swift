/// Bounded max-priority queue: highest suspicion first, FIFO among equals. When full, a
/// more suspicious arrival evicts the least suspicious entry.
public struct SuspicionQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    private var heap: [(score: Double, sequence: UInt64, element: Element)] = []
    private var sequence: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        heap.reserveCapacity(capacity)
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
        sequence += 1
        if heap.count < capacity {
            push((score, sequence, element))
            return .inserted
        }
        // The minimum of a max-heap is among the leaves.
        let leaves = (heap.count / 2)..<heap.count
        let minIndex = leaves.min { lower(heap[$0], heap[$1]) }!
        guard score > heap[minIndex].score else { return .rejected }
        let evicted = heap[minIndex].element
        remove(at: minIndex)
        push((score, sequence, element))
        return .insertedEvicting(evicted)
    }

    public mutating func popMax() -> Element? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0].element
        remove(at: 0)
        return top
    }

    /// a is lower priority than b.
    private func lower(_ a: (score: Double, sequence: UInt64, element: Element),
                       _ b: (score: Double, sequence: UInt64, element: Element)) -> Bool {
        a.score != b.score ? a.score < b.score : a.sequence > b.sequence
    }

    private mutating func push(_ entry: (score: Double, sequence: UInt64, element: Element)) {
        heap.append(entry)
        siftUp(heap.count - 1)
    }

    private mutating func remove(at index: Int) {
        heap.swapAt(index, heap.count - 1)
        heap.removeLast()
        guard index < heap.count else { return }
        siftDown(index)
        siftUp(index)
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
