#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import Foundation
import Testing
import RationCore
@testable import AlertStore

/// The ring's quotas (`StoreQuota`): what a full ring keeps of the segment it removes.
@Suite struct StoreQuotaTests {
    static let cap = 256 << 10, segment = 32 << 10

    func configuration(_ dir: TestDirectory, quota: StoreQuota? = StoreQuota()) -> AlertStoreConfiguration {
        AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: Self.segment, totalMaxBytes: Self.cap, quota: quota,
                                syncPolicy: SyncPolicy(immediatePriority: nil, immediateOnAbnormal: false),
                                blockMaxBytes: 8192)
    }

    /// Alert `n` of `synthetic`, from `source`, with `verdict`.
    static func alert(_ synthetic: SyntheticAlerts, _ n: Int, source: SourceID, verdict: Verdict) -> Alert {
        var a = synthetic.alert(n)
        a.window.source = source
        a.verdict = verdict
        return a
    }

    static let normal = Verdict(label: .normal, status: .verified, rationale: "routine")
    static let abnormal = Verdict(label: .abnormal, status: .verified, rationale: "failing datanode")

    /// The store's alerts are distinct by id, counted by its status, equal to what was written,
    /// and paging through them gives the same list as one query.
    static func expectConsistent(_ store: AlertStore, written: [AlertID: Alert],
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = try store.query(AlertQuery(limit: .max))
        #expect(Set(all.map(\.id)).count == all.count, "duplicate ids in a query", sourceLocation: sourceLocation)
        #expect(all.count == store.status.alerts, sourceLocation: sourceLocation)
        for a in all { #expect(written[a.id] == a, "alert \(a.id) differs from what was written", sourceLocation: sourceLocation) }
        var paged: [Alert] = []
        var query = AlertQuery(limit: 37)
        while true {
            let page = try store.query(query)
            paged += page
            guard let last = page.last, page.count == query.limit else { break }
            query.olderThan = AlertPosition(lastSeen: last.lastSeen.microsecondsSinceEpoch, id: last.id.rawValue)
        }
        #expect(paged.map(\.id) == all.map(\.id), "paging differs from one query", sourceLocation: sourceLocation)
        for id in all.map(\.id).prefix(50) { #expect(try store.alert(id: id) == written[id], sourceLocation: sourceLocation) }
    }

    @Test func noisySourceDoesNotFlushAQuietSourceUnderItsShare() throws {
        let dir = TestDirectory("quota-quiet")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir))
        let noisy = SyntheticAlerts(units: 7, eventsPerWindow: 40, repeatEvery: 0)
        let quiet = SyntheticAlerts(units: 2, eventsPerWindow: 3, repeatEvery: 0)
        var written: [AlertID: Alert] = [:]
        var quietIDs: [AlertID] = [], noisyIDs: [AlertID] = []
        var maxUsage = 0, n = 0
        // Until the ring turned over about three times (sealed segments compress about 6:1).
        while n % 10 != 0 || store.status.removedSegments < 150, n < 50_000 {
            let isQuiet = n % 25 == 0
            var a = Self.alert(isQuiet ? quiet : noisy, n, source: isQuiet ? "files.quiet" : "journal", verdict: Self.normal)
            a.id = try store.append(a)
            written[a.id] = a
            if isQuiet { quietIDs.append(a.id) } else { noisyIDs.append(a.id) }
            n += 1
            if n % 10 == 0 { maxUsage = max(maxUsage, dir.diskUsage()) }
        }
        let status = store.status
        #expect(maxUsage <= Self.cap + Self.segment, "disk usage \(maxUsage) over cap + segment")
        #expect(status.bytesUsed <= Self.cap + Self.segment)
        #expect(status.removedSegments > 5)
        // The quiet source holds far less than half the ring: none of its alerts is dropped.
        #expect((status.sources["files.quiet"]?.bytes ?? 0) * 10 < (status.sources["journal"]?.bytes ?? 0))
        for id in quietIDs { #expect(try store.alert(id: id) == written[id], "quiet alert \(id) was dropped") }
        #expect(try store.query(AlertQuery(source: "files.quiet", limit: .max)).count == quietIDs.count)
        #expect(status.removedBySource["files.quiet"] == nil)
        #expect((status.removedBySource["journal"] ?? 0) > 0)
        #expect(status.carriedAlerts > 0)
        // The noisy source pays: its oldest alerts are gone.
        #expect(try store.alert(id: noisyIDs[0]) == nil)
        try Self.expectConsistent(store, written: written)
        store.close()
        // The same after reopening: carried alerts are found in their new segments.
        let reopened = try AlertStore(configuration: configuration(dir))
        #expect(reopened.status.sources == status.sources)
        for id in quietIDs { #expect(try reopened.alert(id: id) == written[id]) }
        try Self.expectConsistent(reopened, written: written)
    }

    @Test func abnormalAndLabelledAlertsOutliveTheRest() throws {
        let dir = TestDirectory("quota-protected")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir))
        let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 12, repeatEvery: 0)
        var written: [AlertID: Alert] = [:]
        var protected = Set<AlertID>()
        var ordinary: [AlertID] = []
        var maxUsage = 0, n = 0
        while n % 10 != 0 || store.status.removedSegments < 250, n < 50_000 {
            let verdict: Verdict = switch n % 10 {
            case 0: Self.abnormal
            case 5: Verdict(label: .normal, status: .operatorOverride, rationale: "template labelled normal")
            case 1, 3: .skipped("budget exhausted")
            default: Self.normal
            }
            var a = Self.alert(synthetic, n, source: "journal", verdict: verdict)
            a.id = try store.append(a)
            if n % 10 == 7 {
                let label = OperatorLabel(label: .normal, note: "known", time: a.lastSeen)
                try store.label(id: a.id, label)
                a.operatorLabel = label
            }
            written[a.id] = a
            if [0, 5, 7].contains(n % 10) { protected.insert(a.id) } else { ordinary.append(a.id) }
            n += 1
            if n % 10 == 0 { maxUsage = max(maxUsage, dir.diskUsage()) }
        }
        let status = store.status
        #expect(maxUsage <= Self.cap + Self.segment, "disk usage \(maxUsage) over cap + segment")
        let retained = try store.query(AlertQuery(limit: .max))
        let retainedProtected = retained.filter { protected.contains($0.id) }
        let oldestOrdinary = try #require(retained.filter { !protected.contains($0.id) }.map(\.id).min())
        // Protected alerts reach much further back than ordinary ones, of every kind.
        let older = retainedProtected.filter { $0.id < oldestOrdinary }
        #expect(older.count >= 30, "only \(older.count) protected alerts older than the oldest ordinary one")
        #expect(older.contains { $0.verdict.label == .abnormal })
        #expect(older.contains { $0.verdict.status == .operatorOverride })
        #expect(older.contains { $0.operatorLabel != nil })
        // ...within their share: once it is full the oldest protected go too.
        let usage = try #require(status.sources["journal"])
        #expect(Double(usage.protectedBytes) <= 0.5 * Double(usage.bytes) + Double(Self.segment))
        #expect(try store.alert(id: protected.min()!) == nil)
        #expect(retainedProtected.count > retained.count / 3)
        try Self.expectConsistent(store, written: written)
    }

    @Test func withoutQuotasTheOldestSegmentGoesWhole() throws {
        let dir = TestDirectory("quota-none")
        defer { dir.remove() }
        let store = try AlertStore(configuration: configuration(dir, quota: nil))
        let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 12, repeatEvery: 0)
        var first: AlertID?
        var n = 0
        while store.status.removedSegments == 0, n < 50_000 {
            let id = try store.append(Self.alert(synthetic, n, source: n % 2 == 0 ? "a" : "b", verdict: Self.abnormal))
            first = first ?? id
            n += 1
        }
        #expect(store.status.removedSegments > 0)
        #expect(store.status.carriedAlerts == 0)
        #expect(try store.alert(id: first!) == nil)
    }

    /// A crash at any point of a removal that carries alerts forward (before any copy is
    /// written, in the middle of one, after all but before the segment is unlinked) loses
    /// no protected alert and lists none twice.
    @Test func crashDuringACarryingRemovalLosesAndDuplicatesNothing() throws {
        let dir = TestDirectory("quota-crash")
        let side = TestDirectory("quota-crash-side")
        let snapshot = TestDirectory("quota-crash-snapshot")
        defer { dir.remove(); side.remove(); snapshot.remove() }
        let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 12, repeatEvery: 0)
        var written: [AlertID: Alert] = [:]
        var protected = Set<AlertID>()
        var removedPath: String?
        do {
            let store = try AlertStore(configuration: configuration(dir))
            var n = 0
            while removedPath == nil, n < 20_000 {
                // Keep a link to the oldest sealed segment, so it can be put back as a crash would leave it.
                if let oldest = dir.files(prefix: "seg-").first {
                    let name = (oldest as NSString).lastPathComponent
                    if !FileManager.default.fileExists(atPath: side.path + "/" + name) {
                        #expect(link(oldest, side.path + "/" + name) == 0)
                    }
                }
                let carriedBefore = store.status.carriedAlerts
                let isProtected = n % 9 == 0
                var a = Self.alert(synthetic, n, source: "journal", verdict: isProtected ? Self.abnormal : Self.normal)
                a.id = try store.append(a)
                written[a.id] = a
                if isProtected { protected.insert(a.id) }
                if store.status.carriedAlerts > carriedBefore {
                    removedPath = side.files(prefix: "seg-").first { !FileManager.default.fileExists(atPath: dir.path + "/" + ($0 as NSString).lastPathComponent) }
                }
                n += 1
            }
            // Every protected alert written so far is still held, some carried.
            for id in protected { #expect(try store.alert(id: id) != nil, "protected alert \(id) dropped") }
            // The process dies here: no close, no final sync.
            _ = store
        }
        let removed = try #require(removedPath)
        for path in dir.files(prefix: "") { try FileManager.default.copyItem(atPath: path, toPath: snapshot.path + "/" + (path as NSString).lastPathComponent) }
        let wal = try #require(snapshot.files(prefix: "wal-").last)
        let walBytes = try Data(contentsOf: URL(fileURLWithPath: wal))
        #expect(walBytes.count > ActiveSegment.headerSize + 200, "the write-ahead segment holds the carried alerts")
        let cuts = [ActiveSegment.headerSize, ActiveSegment.headerSize + 100, (ActiveSegment.headerSize + walBytes.count) / 2,
                    walBytes.count - 7, walBytes.count]
        for cut in cuts {
            // The directory as the crash left it: the copies written up to `cut`, the old segment still there.
            for path in dir.files(prefix: "") { try FileManager.default.removeItem(atPath: path) }
            for path in snapshot.files(prefix: "") {
                try FileManager.default.copyItem(atPath: path, toPath: dir.path + "/" + (path as NSString).lastPathComponent)
            }
            try walBytes.prefix(cut).write(to: URL(fileURLWithPath: dir.path + "/" + (wal as NSString).lastPathComponent))
            try FileManager.default.copyItem(atPath: removed, toPath: dir.path + "/" + (removed as NSString).lastPathComponent)
            let store = try AlertStore(configuration: configuration(dir))
            #expect(store.recoveryReport.damaged.allSatisfy { $0.reason == AlertStore.tornTailReason }, "cut \(cut)")
            for id in protected { #expect(try store.alert(id: id) == written[id], "cut \(cut): protected alert \(id) lost") }
            #expect(try store.query(AlertQuery(verdict: .abnormal, limit: .max)).count == protected.count, "cut \(cut)")
            try Self.expectConsistent(store, written: written)
            store.close()
        }
    }
}
