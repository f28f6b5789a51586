import Foundation
import Synchronization
import Testing
@testable import Pipeline

/// The queue between source threads and the stage task blocks its producers when full.
@Suite struct BatchChannelTests {
    @Test func fullChannelBlocksTheSourceThreadUntilTheStageReceives() async throws {
        let channel = BatchChannel<Int>(capacity: 10)
        let sent = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            for i in 0..<6 {
                channel.send(i, weight: 4)
                sent.add(1, ordering: .relaxed)
            }
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(300))
        #expect(sent.load(ordering: .relaxed) == 2, "8 of 10 records queued; the third batch of 4 must wait")
        #expect(channel.depth == 8)
        var received: [Int] = []
        for _ in 0..<6 { received.append(await channel.receive()!) }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(received == [0, 1, 2, 3, 4, 5])
        #expect(channel.depth == 0)
    }

    /// A source of long lines fills the queue's bytes long before its record count: the
    /// sender blocks on bytes, and nothing is dropped.
    @Test func byteBoundBlocksTheSenderBeforeTheRecordBound() async throws {
        let channel = BatchChannel<Int>(capacity: 1_000, byteCapacity: 100_000)
        let sent = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            for i in 0..<5 {
                channel.send(i, weight: 2, bytes: 40_000)
                sent.add(1, ordering: .relaxed)
            }
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(300))
        #expect(sent.load(ordering: .relaxed) == 2, "80,000 of 100,000 bytes queued; the third batch must wait")
        #expect(channel.depth == 4 && channel.depthBytes == 80_000)
        var received: [Int] = []
        for _ in 0..<5 { received.append(await channel.receive()!) }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(received == [0, 1, 2, 3, 4])
        #expect(channel.depthBytes == 0)
    }

    @Test func anOversizedBatchWaitsForAnEmptyQueue() async throws {
        let channel = BatchChannel<Int>(capacity: 1_000, byteCapacity: 1_000)
        channel.send(0, weight: 1, bytes: 10)
        let sent = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        Thread {
            channel.send(1, weight: 1, bytes: 5_000)
            sent.store(true, ordering: .relaxed)
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(200))
        let sentEarly = sent.load(ordering: .relaxed)
        #expect(!sentEarly, "a batch over the byte bound waits for the queue to empty")
        #expect(await channel.receive() == 0)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(channel.depthBytes == 5_000)
        #expect(await channel.receive() == 1)
    }

    @Test func signalsGoFirstAndCloseDrainsThenEnds() async {
        let channel = BatchChannel<String>(capacity: 100)
        channel.send("batch", weight: 1)
        channel.post("tick")
        channel.close()
        #expect(!channel.send("late", weight: 1))
        #expect(await channel.receive() == "tick")
        #expect(await channel.receive() == "batch")
        #expect(await channel.receive() == nil)
    }

    @Test func closeWakesABlockedSender() async throws {
        let channel = BatchChannel<Int>(capacity: 1)
        channel.send(1, weight: 1)
        let result = Atomic<Int>(-1)
        let done = DispatchSemaphore(value: 0)
        Thread {
            result.store(channel.send(2, weight: 1) ? 1 : 0, ordering: .relaxed)
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(100))
        #expect(result.load(ordering: .relaxed) == -1)
        channel.close()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(result.load(ordering: .relaxed) == 0)
    }
}
