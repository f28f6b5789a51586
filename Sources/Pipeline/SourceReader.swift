import Foundation
import Ingest
import Logging
import RationCore
import Synchronization

/// Runs one source's blocking `nextBatch` loop on a thread of its own (never on the
/// cooperative pool) and pushes the batches into the bounded channel, blocking while it is
/// full. Acknowledgements from the stage are applied on the same thread, since a source is
/// owned by one thread.
final class SourceReader: @unchecked Sendable {
    let id: SourceID
    let kind: String
    private let source: any LogSource
    private let channel: BatchChannel<PipelineEvent>
    private let batchSize: Int
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let idlePending = Atomic<Bool>(false)
    private let acks = Mutex<[Checkpoint]>([])
    private let done = DispatchSemaphore(value: 0)
    private let errorCount = Atomic<Int>(0)
    private let finishedFlag = Atomic<Bool>(false)
    private let retiring = Atomic<Bool>(false)
    /// Beats once per read attempt (at least every `wait` while the source is healthy).
    let beacon = ProgressBeacon()

    /// How long `nextBatch` waits for a first record; also how often the stop flag is checked.
    static let wait: Duration = .milliseconds(200)

    init(source: any LogSource, kind: String, channel: BatchChannel<PipelineEvent>, batchSize: Int, logger: Logger) {
        self.id = source.id
        self.kind = kind
        self.source = source
        self.channel = channel
        self.batchSize = batchSize
        self.logger = logger
    }

    var errors: Int { errorCount.load(ordering: .relaxed) }
    var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }

    func start() {
        let thread = Thread { [self] in
            run()
            finishedFlag.store(true, ordering: .releasing)
            if retiring.load(ordering: .acquiring) {
                // Behind its last batch (signals would overtake queued batches).
                channel.send(.retired(self), weight: 0)
            } else {
                channel.post(.finished(id))
            }
            done.signal()
        }
        thread.name = "source-\(id.rawValue)"
        thread.start()
    }

    /// Asks the loop to end after the batch in hand.
    func stop() { stopping.store(true, ordering: .releasing) }

    /// Stops for good because a reload removed or changed the source: the thread ends with
    /// `.retired` instead of `.finished`.
    func retire() {
        retiring.store(true, ordering: .releasing)
        stop()
    }

    /// Waits for the thread to end, at most `timeout`; false when it did not.
    func join(timeout: Duration) -> Bool {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return done.wait(timeout: .now() + seconds) == .success
    }

    /// Everything up to `checkpoint` is durable (applied on the reader's thread).
    func acknowledge(_ checkpoints: [Checkpoint]) { acks.withLock { $0.append(contentsOf: checkpoints) } }

    /// The stage handled the last idle notice; the next one may be posted.
    func idleHandled() { idlePending.store(false, ordering: .releasing) }

    private func run() {
        var consecutiveErrors = 0
        while !stopping.load(ordering: .acquiring) {
            beacon.beat()
            for checkpoint in acks.withLock({ a -> [Checkpoint] in defer { a.removeAll() }; return a }) {
                source.acknowledge(checkpoint)
            }
            let batch: [LogRecord]
            do {
                batch = try source.nextBatch(maxRecords: batchSize, timeout: Self.wait)
                consecutiveErrors = 0
            } catch {
                errorCount.add(1, ordering: .relaxed)
                consecutiveErrors += 1
                logger.error("source read failed; retrying", metadata: ["source": "\(id)", "error": "\(error)"])
                // Back off (up to 5 s) so a persistent fault does not spin.
                Thread.sleep(forTimeInterval: min(5, 0.1 * Double(1 << min(consecutiveErrors, 6))))
                continue
            }
            for notice in source.takeNotices() {
                logger.warning("\(notice)", metadata: ["source": "\(id)"])
            }
            let forgotten = source.takeForgottenStreams()
            if !forgotten.isEmpty, !channel.send(.forgotten(id, forgotten), weight: 0) { return }
            if batch.isEmpty {
                if !idlePending.exchange(true, ordering: .acquiringAndReleasing) {
                    channel.post(.idle(id, WallClockTime.now()))
                }
            } else if !channel.send(.batch(id, batch), weight: batch.count, bytes: batch.reduce(0) { $0 + $1.queuedBytes }) {
                return
            }
        }
    }
}

/// The wall clock as an `EventTime`.
enum WallClockTime {
    static func now() -> EventTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EventTime(microsecondsSinceEpoch: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }
}
