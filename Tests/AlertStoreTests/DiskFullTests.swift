#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import Foundation
import ProcessTestSupport
import Testing
import RationCore
@testable import AlertStore

@Suite struct DiskFullTests {
    @Test(.enabled(if: SmallFilesystem.available, "needs root and /bin/mount")) func fullDiskStopsWritesAndKeepsAlerts() throws {
        let fs = try #require(SmallFilesystem(kilobytes: 384), "mount a tmpfs")
        defer { fs.unmount() }
        let events = EventLog()
        // The budget is larger than the disk, so the disk fills before the ring removes anything.
        let configuration = AlertStoreConfiguration(directory: fs.path + "/alerts", segmentMaxBytes: 64 << 10,
                                                    totalMaxBytes: 16 << 20, syncPolicy: .always, blockMaxBytes: 8192,
                                                    eventHandler: { events.add($0) })
        let synthetic = SyntheticAlerts(units: 4, eventsPerWindow: 24, repeatEvery: 0)
        let store = try AlertStore(configuration: configuration)
        var stored: [AlertID: Alert] = [:]
        var n = 0
        var failure: AlertStoreError?
        while n < 5000 {
            var alert = synthetic.alert(n)
            do {
                alert.id = try store.append(alert)
                stored[alert.id] = alert
            } catch {
                failure = error
                break
            }
            n += 1
        }
        let fullPath = failure.flatMap { if case let .diskFull(p) = $0 { p } else { nil } }
        #expect(fullPath?.hasPrefix(fs.path) == true, "appends stop with a disk-full error, got \(String(describing: failure))")
        #expect(failure.map { "\($0)".contains("disk full") } == true)
        #expect(store.status.diskFull != nil)
        #expect(stored.count > 20)
        // Retrying while still full fails the same way and breaks nothing.
        #expect(throws: AlertStoreError.self) { try store.append(synthetic.alert(n)) }
        let all = try store.query(AlertQuery(limit: .max))
        #expect(all.count == stored.count)
        #expect(all.allSatisfy { stored[$0.id] == $0 })

        // Grow the filesystem (as freeing space would) and the next append succeeds.
        #expect(SmallFilesystem.run("/bin/mount", ["-o", "remount,size=2048k", fs.path]), "remount to grow the tmpfs")
        var alert = synthetic.alert(n)
        alert.id = try store.append(alert)
        stored[alert.id] = alert
        #expect(store.status.diskFull == nil)
        store.close()

        // Nothing stored was lost, and the store reopens cleanly.
        let reopened = try AlertStore(configuration: configuration)
        #expect(reopened.recoveryReport.damaged.allSatisfy { $0.reason == AlertStore.tornTailReason })
        let after = try reopened.query(AlertQuery(limit: .max))
        #expect(after.count == stored.count)
        #expect(after.allSatisfy { stored[$0.id] == $0 })
    }
}
