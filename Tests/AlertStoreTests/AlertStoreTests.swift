import Evaluation
import Foundation
import Testing
import RationCore
@testable import AlertStore

@Suite struct AlertStoreTests {
    let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 6, repeatEvery: 0)

    func configuration(_ dir: TestDirectory, segment: Int = 16 << 10, total: Int = 64 << 20) -> AlertStoreConfiguration {
        AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: segment, totalMaxBytes: total,
                                syncPolicy: .batched, blockMaxBytes: 4096)
    }

    @Test func appendQueryReopen() throws {
        let dir = TestDirectory("basic")
        defer { dir.remove() }
        var ids: [AlertID] = []
        do {
            let store = try AlertStore(configuration: configuration(dir))
            for n in 0..<200 { ids.append(try store.append(synthetic.alert(n))) }
            #expect(Set(ids).count == 200)
            #expect(store.status.sealedSegments > 3)
            let newest = try store.query(AlertQuery(limit: 10))
            #expect(newest.map(\.window.key) == (190..<200).reversed().map(SyntheticAlerts.key))
            store.close()
        }
        let store = try AlertStore(configuration: configuration(dir))
        #expect(store.recoveryReport.isClean)
        let all = try store.query(AlertQuery(limit: .max))
        #expect(all.count == 200)
        for (n, id) in ids.enumerated() {
            var expected = synthetic.alert(n)
            expected.id = id
            let found = try store.alert(id: id)
            #expect(found.map { $0 == expected } == true, "alert \(id) differs from what was appended")
        }
        #expect(try store.alert(id: AlertID(100_000)) == nil)
        // Appends continue with fresh ids after reopening.
        let next = try store.append(synthetic.alert(500))
        #expect(next.rawValue > ids.map(\.rawValue).max()!)
    }

    @Test func filters() throws {
        let dir = TestDirectory("filters")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir))
        let alerts = (0..<300).map(synthetic.alert)
        var stored: [Alert] = []
        for a in alerts {
            var s = a
            s.id = try store.append(a)
            stored.append(s)
        }
        func expect(_ q: AlertQuery, _ predicate: (Alert) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let expected = stored.filter(predicate).sorted { ($0.lastSeen, $0.id) > ($1.lastSeen, $1.id) }.prefix(q.limit)
            let got = try store.query(q)
            #expect(got.map(\.id) == expected.map(\.id), sourceLocation: sourceLocation)
            #expect(got.elementsEqual(expected), sourceLocation: sourceLocation)
            #expect(!expected.isEmpty, "query must select something to be meaningful", sourceLocation: sourceLocation)
        }
        try expect(AlertQuery(unit: "svc3.service", limit: 7)) { $0.window.events.contains { $0.unit == "svc3.service" } }
        try expect(AlertQuery(source: "files.app", limit: 1000)) { $0.window.source == "files.app" }
        try expect(AlertQuery(severity: .crit, limit: 1000)) { ($0.window.events.compactMap(\.priority).min() ?? .debug) <= .crit }
        try expect(AlertQuery(verdict: .abnormal, limit: 1000)) { $0.verdict.label == .abnormal }
        try expect(AlertQuery(minScore: 8, limit: 1000)) { $0.suspicion.score >= 8 }
        let t0 = synthetic.alert(100).firstSeen, t1 = synthetic.alert(120).firstSeen
        try expect(AlertQuery(since: t0, until: t1, limit: 1000)) { $0.lastSeen >= t0 && $0.firstSeen <= t1 }
        try expect(AlertQuery(text: "node-7", limit: 1000)) {
            $0.window.events.contains { $0.message.contains("node-7") } || $0.verdict.rationale.contains("node-7")
        }
        try expect(AlertQuery(text: "session-42", limit: 1000)) { $0.window.key.rawValue.contains("session-42") }
        try expect(AlertQuery(unit: "svc1.service", verdict: .normal, text: "worker", limit: 1000)) {
            $0.window.events.contains { $0.unit == "svc1.service" } && $0.verdict.label == .normal
        }
        #expect(try store.query(AlertQuery(unit: "no-such.service")).isEmpty)
        #expect(try store.query(AlertQuery(text: "no such text")).isEmpty)

        // Labels are stored as a new version; the old version disappears from label queries.
        let target = stored[17]
        try store.label(id: target.id, OperatorLabel(label: .normal, note: "known maintenance", time: target.lastSeen))
        let labelled = try store.query(AlertQuery(operatorLabel: .normal))
        #expect(labelled.map(\.id) == [target.id])
        #expect(labelled.first?.operatorLabel?.note == "known maintenance")
        #expect(try store.query(AlertQuery(limit: .max)).count == 300)
        #expect(try store.query(AlertQuery(text: "known maintenance")).map(\.id) == [target.id])
        #expect(throws: AlertStoreError.notFound(AlertID(99_999))) {
            try store.label(id: AlertID(99_999), OperatorLabel(label: .normal, time: .zero))
        }
    }

    @Test func revisedVerdictReplacesSkippedAndSurvivesReopen() throws {
        let dir = TestDirectory("revise")
        defer { dir.remove() }
        var skipped = synthetic.alert(3)
        skipped.verdict = Verdict(label: nil, status: .skipped(reason: "endpoint down"))
        let id: AlertID
        do {
            let store = try AlertStore(configuration: configuration(dir))
            // Enough later alerts that the skipped one lies in a sealed segment when revised.
            id = try store.append(skipped)
            for n in 10..<150 { try store.append(synthetic.alert(n)) }
            #expect(store.status.sealedSegments > 1)
            let judged = Verdict(label: .abnormal, status: .verified, rationale: "disk failure", model: "m")
            let revised = try store.revise(id: id, verdict: judged)
            #expect(revised.id == id && revised.verdict == judged && revised.window == skipped.window)
            #expect(throws: AlertStoreError.notFound(AlertID(99_999))) {
                try store.revise(id: AlertID(99_999), verdict: judged)
            }
            store.close()
        }
        let store = try AlertStore(configuration: configuration(dir))
        #expect(store.recoveryReport.isClean)
        #expect(try store.alert(id: id)?.verdict.status == .verified)
        #expect(try store.query(AlertQuery(verdict: .abnormal, limit: .max)).map(\.id).contains(id))
        #expect(try store.query(AlertQuery(limit: .max)).count == 141, "a revision is a new version, not a new alert")
    }

    @Test func repeatsAggregate() throws {
        let dir = TestDirectory("aggregate")
        defer { dir.remove() }
        let repeating = SyntheticAlerts(units: 5, eventsPerWindow: 6, repeatEvery: 1, step: .seconds(30))
        var ids: [AlertID] = []
        do {
            let store = try AlertStore(configuration: configuration(dir))
            // Alerts n and n+3 share a template set; 30 s apart, well inside the 600 s window.
            for n in 0..<60 { ids.append(try store.append(repeating.alert(n))) }
            store.close()
        }
        #expect(Set(ids).count == 3)
        let store = try AlertStore(configuration: configuration(dir))
        let all = try store.queryStored(AlertQuery(limit: .max))
        #expect(all.count == 3)
        #expect(all.map(\.alert.count).reduce(0, +) == 60)
        for s in all {
            #expect(s.histogram.total == s.alert.count)
            #expect(s.alert.lastSeen > s.alert.firstSeen)
        }
        // After a restart the repeat still folds into the same alert (rebuilt from the write-ahead log).
        let again = try store.append(repeating.alert(60))
        #expect(ids.contains(again))
        // A repeat past the aggregation window starts a new alert.
        var late = repeating.alert(63)
        late.firstSeen = late.firstSeen.adding(.seconds(7200))
        late.lastSeen = late.lastSeen.adding(.seconds(7200))
        #expect(!ids.contains(try store.append(late)))
    }

    @Test func histogramStaysBounded() {
        var h = OccurrenceHistogram(start: EventTime(secondsSinceEpoch: 1000))
        for i in 0..<10_000 { h.record(EventTime(secondsSinceEpoch: 1000 + Double(i) * 30)) }
        #expect(h.counts.count <= OccurrenceHistogram.maxBuckets)
        #expect(h.total == 10_001)
        #expect(h.bucketSeconds > 60)
    }

    @Test func followSeesNewAlerts() async throws {
        let dir = TestDirectory("follow")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir))
        let stream = store.follow(AlertQuery(unit: "svc2.service"))
        for n in 0..<20 { try store.append(synthetic.alert(n)) }
        var seen: [SessionKey] = []
        for await alert in stream {
            seen.append(alert.window.key)
            if seen.count == 4 { break }
        }
        #expect(seen == [2, 7, 12, 17].map(SyntheticAlerts.key))
    }

    @Test func oneWriterManyReaders() throws {
        let dir = TestDirectory("lock")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir))
        for n in 0..<50 { try store.append(synthetic.alert(n)) }
        #expect(throws: AlertStoreError.locked(path: dir.path + "/LOCK")) {
            _ = try AlertStore(configuration: configuration(dir))
        }
        let reader = try AlertStore.openReadOnly(directory: dir.path)
        #expect(try reader.query(AlertQuery(limit: .max)).count == 50)
        #expect(throws: AlertStoreError.readOnly(directory: dir.path)) { try reader.append(synthetic.alert(99)) }
        store.close()
        _ = try AlertStore(configuration: configuration(dir))
    }

    @Test func newerSchemaIsRefused() throws {
        let dir = TestDirectory("schema")
        defer { dir.remove() }
        do {
            let store = try AlertStore(configuration: configuration(dir))
            try store.append(synthetic.alert(1))
            store.close()
        }
        try Data("rationd alert store\nschema 99\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/FORMAT"))
        #expect(throws: AlertStoreError.newerSchema(path: dir.path + "/FORMAT", found: 99, supported: AlertStore.schemaVersion)) {
            _ = try AlertStore(configuration: configuration(dir))
        }
        #expect(throws: AlertStoreError.self) { _ = try AlertStore.openReadOnly(directory: dir.path) }
        // The refusal touched nothing.
        try Data("rationd alert store\nschema 1\n".utf8).write(to: URL(fileURLWithPath: dir.path + "/FORMAT"))
        #expect(try AlertStore.openReadOnly(directory: dir.path).query(AlertQuery()).count == 1)
    }

    @Test func newerSegmentFormatIsRefused() throws {
        let dir = TestDirectory("segformat")
        defer { dir.remove() }
        do {
            let store = try AlertStore(configuration: configuration(dir))
            for n in 0..<100 { try store.append(synthetic.alert(n)) }
            store.close()
        }
        let segment = try #require(dir.files(prefix: "seg-").first)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: segment)))
        // Format 2 with a valid header CRC: a real newer file, not damage.
        bytes.replaceSubrange(8..<12, with: [2, 0, 0, 0])
        let crc = CRC32C.checksum(bytes, 8..<28)
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(28..<32, with: $0) }
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        #expect(throws: AlertStoreError.newerSchema(path: segment, found: 2, supported: 1)) {
            _ = try AlertStore(configuration: configuration(dir))
        }
    }

    @Test func configurationIsValidated() {
        #expect(throws: AlertStoreError.self) {
            _ = try AlertStore(configuration: AlertStoreConfiguration(directory: "/tmp/x", segmentMaxBytes: 1 << 20, totalMaxBytes: 1 << 20))
        }
    }
}

@Suite struct AlertStoreLifecycleTests {
    @Test func closeEndsFollowersAndIdsAreNeverReused() async throws {
        let dir = TestDirectory("lifecycle")
        defer { dir.remove() }
        let synthetic = SyntheticAlerts(units: 2, eventsPerWindow: 4, repeatEvery: 0)
        // A budget of two segments: the ring removes every sealed segment as it goes.
        let configuration = AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: 4096, totalMaxBytes: 8192,
                                                    blockMaxBytes: 2048)
        let store = try AlertStore(configuration: configuration)
        let stream = store.follow()
        var last = AlertID(0)
        for n in 0..<40 { last = try store.append(synthetic.alert(n)) }
        store.close()
        var received = 0
        for await _ in stream { received += 1 }   // ends because the store closed
        #expect(received == 40)
        #expect(throws: AlertStoreError.closed(directory: dir.path)) { try store.append(synthetic.alert(1)) }

        let reopened = try AlertStore(configuration: configuration)
        let next = try reopened.append(synthetic.alert(100))
        #expect(next > last)
    }
}
