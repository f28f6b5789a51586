import Evaluation
import Foundation
import Testing
import RationCore
@testable import AlertStore

@Suite struct RingTests {
    @Test func capHoldsAfterTenTimesTheBudget() throws {
        let dir = TestDirectory("ring")
        defer { dir.remove() }
        let cap = 256 << 10, segment = 32 << 10
        let events = EventLog()
        let configuration = AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: segment, totalMaxBytes: cap,
                                                    syncPolicy: SyncPolicy(immediatePriority: nil, immediateOnAbnormal: false),
                                                    blockMaxBytes: 8192, eventHandler: { events.add($0) })
        let synthetic = SyntheticAlerts(units: 7, eventsPerWindow: 10, repeatEvery: 0)
        let store = try AlertStore(configuration: configuration)
        var written = 0
        var n = 0
        var maxUsage = 0
        var lastIDs: [AlertID] = []
        while written < 10 * cap {
            let alert = synthetic.alert(n)
            let id = try store.append(alert)
            lastIDs.append(id)
            written += try JSONEncoder().encode(alert).count
            n += 1
            if n % 25 == 0 { maxUsage = max(maxUsage, dir.diskUsage()) }
        }
        maxUsage = max(maxUsage, dir.diskUsage())
        let status = store.status
        #expect(maxUsage <= cap + segment, "disk usage \(maxUsage) over cap \(cap) + segment \(segment)")
        #expect(status.bytesUsed <= cap + segment)
        #expect(status.removedSegments > 0)
        #expect(status.removedAlerts > 0)
        #expect(events.removals == status.removedSegments)
        // The newest alerts survive; the oldest are gone.
        for id in lastIDs.suffix(20) { #expect(try store.alert(id: id) != nil) }
        #expect(try store.alert(id: lastIDs[0]) == nil)
        #expect(status.oldestRetainedID > lastIDs[0])
        let retained = try store.query(AlertQuery(limit: .max))
        #expect(retained.count == status.alerts)
    }

    @Test func ageCapRemovesOldSegments() throws {
        let dir = TestDirectory("age")
        defer { dir.remove() }
        let synthetic = SyntheticAlerts(units: 3, eventsPerWindow: 4, repeatEvery: 0)
        let clock = ManualClock(synthetic.alert(0).firstSeen)
        let configuration = AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: 8 << 10, totalMaxBytes: 64 << 20,
                                                    maxAge: .seconds(3600), blockMaxBytes: 4096,
                                                    clock: { clock.now })
        let store = try AlertStore(configuration: configuration)
        for n in 0..<200 { try store.append(synthetic.alert(n)) }
        let before = store.status
        #expect(before.sealedSegments > 2)
        #expect(before.removedSegments == 0)
        clock.now = synthetic.alert(199).lastSeen.adding(.seconds(3600 + 120))
        store.maintain()
        let after = store.status
        #expect(after.removedSegments > 0)
        #expect(after.sealedSegments < before.sealedSegments)
        // What remains is within the age (the write-ahead segment is never removed).
        for a in try store.query(AlertQuery(limit: .max)) where a.lastSeen < clock.now.adding(.seconds(-3600)) {
            #expect(store.status.activeSegmentBytes > 0, "only write-ahead alerts may be older: \(a.id)")
        }
    }

    @Test func segmentAgeSeals() throws {
        let dir = TestDirectory("segage")
        defer { dir.remove() }
        let synthetic = SyntheticAlerts(units: 3, eventsPerWindow: 4, repeatEvery: 0)
        let clock = ManualClock(synthetic.alert(0).firstSeen)
        let configuration = AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: 1 << 20, segmentMaxAge: .seconds(60),
                                                    totalMaxBytes: 64 << 20, clock: { clock.now })
        let store = try AlertStore(configuration: configuration)
        for n in 0..<5 { try store.append(synthetic.alert(n)) }
        #expect(store.status.sealedSegments == 0)
        clock.now = clock.now.adding(.seconds(61))
        store.maintain()
        #expect(store.status.sealedSegments == 1)
        #expect(try store.query(AlertQuery(limit: .max)).count == 5)
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [AlertStoreEvent] = []
    func add(_ e: AlertStoreEvent) { lock.withLock { events.append(e) } }
    var removals: Int {
        lock.withLock { events.filter { if case .removed = $0 { true } else { false } }.count }
    }
}

final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: EventTime
    init(_ t: EventTime) { time = t }
    var now: EventTime {
        get { lock.withLock { time } }
        set { lock.withLock { time = newValue } }
    }
}
