#if canImport(Glibc)
import Glibc
#endif

/// The queue between the source threads and the stage task.
///
/// Two lanes: `send` (record batches) is bounded by `capacity` records and `byteCapacity`
/// bytes (`LogRecord.queuedBytes`), and blocks the calling source thread while either is
/// full, so a slow pipeline slows reading instead of buffering, and a source of long lines
/// is held back by its bytes, not only its count; `post` (reasoning results, ticks, control requests) never blocks and is bounded
/// by its producers (one result per window the reasoning engine accepted, at most one pending
/// tick, one request per control connection). One consumer awaits `receive`.
final class BatchChannel<Element: Sendable>: @unchecked Sendable {
    let capacity: Int
    let byteCapacity: Int
    private var mutex = pthread_mutex_t()
    private var notFull = pthread_cond_t()
    private var batches: [(element: Element, weight: Int, bytes: Int)] = []
    private var batchHead = 0
    private var signals: [Element] = []
    private var weight = 0
    private var bytes = 0
    private var closed = false
    private var waiter: CheckedContinuation<Element?, Never>?

    init(capacity: Int, byteCapacity: Int = .max) {
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&notFull, nil)
    }

    deinit {
        pthread_cond_destroy(&notFull)
        pthread_mutex_destroy(&mutex)
    }

    /// Records queued now.
    var depth: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return weight
    }

    /// Bytes of the records queued now.
    var depthBytes: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return bytes
    }

    /// Queues a batch of `weight` records holding `bytes` bytes, blocking while that would
    /// exceed `capacity` or `byteCapacity` (an oversized batch waits for an empty queue).
    /// False when the channel is closed.
    @discardableResult
    func send(_ element: Element, weight w: Int, bytes b: Int = 0) -> Bool {
        pthread_mutex_lock(&mutex)
        while !closed, weight > 0 || bytes > 0, weight + w > capacity || bytes + b > byteCapacity {
            pthread_cond_wait(&notFull, &mutex)
        }
        guard !closed else {
            pthread_mutex_unlock(&mutex)
            return false
        }
        if let waiter {
            self.waiter = nil
            pthread_mutex_unlock(&mutex)
            waiter.resume(returning: element)
            return true
        }
        batches.append((element, w, b))
        weight += w
        bytes += b
        pthread_mutex_unlock(&mutex)
        return true
    }

    /// Queues a signal without waiting (see the type's note on what bounds it). Signals are
    /// delivered before queued batches. False when the channel is closed.
    @discardableResult
    func post(_ element: Element) -> Bool {
        pthread_mutex_lock(&mutex)
        guard !closed else {
            pthread_mutex_unlock(&mutex)
            return false
        }
        if let waiter {
            self.waiter = nil
            pthread_mutex_unlock(&mutex)
            waiter.resume(returning: element)
            return true
        }
        signals.append(element)
        pthread_mutex_unlock(&mutex)
        return true
    }

    /// The next signal or batch; nil once the channel is closed and empty.
    func receive() async -> Element? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            pthread_mutex_lock(&mutex)
            if let element = takeLocked() {
                pthread_mutex_unlock(&mutex)
                continuation.resume(returning: element)
            } else if closed {
                pthread_mutex_unlock(&mutex)
                continuation.resume(returning: nil)
            } else {
                precondition(waiter == nil, "BatchChannel has one consumer")
                waiter = continuation
                pthread_mutex_unlock(&mutex)
            }
        }
    }

    /// Refuses new elements and wakes blocked senders; `receive` drains what is queued, then
    /// returns nil.
    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        let waiter = self.waiter
        self.waiter = nil
        pthread_cond_broadcast(&notFull)
        pthread_mutex_unlock(&mutex)
        waiter?.resume(returning: nil)
    }

    private func takeLocked() -> Element? {
        if !signals.isEmpty { return signals.removeFirst() }
        guard batchHead < batches.count else { return nil }
        let (element, w, b) = batches[batchHead]
        batchHead += 1
        if batchHead > 64, batchHead * 2 > batches.count {
            batches.removeFirst(batchHead)
            batchHead = 0
        }
        weight -= w
        bytes -= b
        pthread_cond_broadcast(&notFull)
        return element
    }
}
