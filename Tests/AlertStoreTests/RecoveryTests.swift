import Evaluation
import Foundation
import Testing
import RationCore
@testable import AlertStore

@Suite struct RecoveryTests {
    let synthetic = SyntheticAlerts(units: 6, eventsPerWindow: 6, repeatEvery: 0)

    func configuration(_ dir: TestDirectory) -> AlertStoreConfiguration {
        AlertStoreConfiguration(directory: dir.path, segmentMaxBytes: 16 << 10, totalMaxBytes: 64 << 20,
                                syncPolicy: .always, blockMaxBytes: 2048)
    }

    /// Writes `count` alerts and returns them with their ids.
    func populate(_ dir: TestDirectory, count: Int) throws -> [UInt64: Alert] {
        let store = try AlertStore(configuration: configuration(dir))
        var alerts: [UInt64: Alert] = [:]
        for n in 0..<count {
            var a = synthetic.alert(n)
            a.id = try store.append(a)
            alerts[a.id.rawValue] = a
        }
        store.close()
        return alerts
    }

    @Test func tornTailIsCutAndReported() throws {
        let dir = TestDirectory("torn")
        defer { dir.remove() }
        let alerts = try populate(dir, count: 30)
        let wal = try #require(dir.files(prefix: "wal-").first)
        let sizeBefore = try #require(StoreFile.size(wal))
        // Half of a record, as a power cut during the write would leave it.
        let record = ActiveSegment.frame(Array(repeating: 0x41, count: 300))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: wal))
        handle.seekToEndOfFile()
        handle.write(Data(record.prefix(150)))
        try handle.close()

        let store = try AlertStore(configuration: configuration(dir))
        #expect(store.recoveryReport.truncatedBytes == 150)
        #expect(store.recoveryReport.truncatedPath == wal)
        #expect(store.recoveryReport.damaged == [DamagedRange(path: wal, offset: sizeBefore, length: 150, reason: AlertStore.tornTailReason)])
        #expect(StoreFile.size(wal) == sizeBefore)
        let all = try store.query(AlertQuery(limit: .max))
        #expect(all.count == alerts.count)
        #expect(all.allSatisfy { alerts[$0.id.rawValue] == $0 })
        // Appending after the cut works and survives a reopen.
        let id = try store.append(synthetic.alert(1000))
        store.close()
        let reopened = try AlertStore(configuration: configuration(dir))
        #expect(reopened.recoveryReport.isClean)
        #expect(try reopened.alert(id: id)?.window.key == SyntheticAlerts.key(1000))
    }

    @Test func interruptedSealIsFinished() throws {
        let dir = TestDirectory("seal")
        defer { dir.remove() }
        let alerts = try populate(dir, count: 40)
        let walPath = try #require(dir.files(prefix: "wal-").first)
        let name = URL(fileURLWithPath: walPath).lastPathComponent
        let seq = try #require(UInt64(name.dropFirst(4).dropLast(4), radix: 16))
        // A crash after the sealed file was renamed into place but before the log was deleted:
        // reproduce it by sealing a copy of the log the way the store does.
        let walCopy = try Data(contentsOf: URL(fileURLWithPath: walPath))
        do {
            let store = try AlertStore(configuration: configuration(dir))
            store.lock.lock()
            do {
                try store.sealActive()
            } catch {
                store.lock.unlock()
                throw error
            }
            store.lock.unlock()
            store.close()
        }
        try walCopy.write(to: URL(fileURLWithPath: walPath))
        // And a leftover temp file from an interrupted write.
        try Data("partial".utf8).write(to: URL(fileURLWithPath: dir.path + "/" + StoreLayout.sealedName(seq + 1) + ".tmp.123"))

        let store = try AlertStore(configuration: configuration(dir))
        #expect(store.recoveryReport.removedLeftovers.contains(name))
        #expect(store.recoveryReport.removedLeftovers.contains { $0.hasSuffix(".tmp.123") })
        #expect(!FileManager.default.fileExists(atPath: walPath))
        let all = try store.query(AlertQuery(limit: .max))
        #expect(all.count == alerts.count, "no alert lost or duplicated")
        #expect(all.allSatisfy { alerts[$0.id.rawValue] == $0 })
    }

    /// Random byte flips and truncations in sealed and write-ahead segments: the store opens,
    /// reports the damage, and returns every alert outside it, unaltered.
    @Test(arguments: [11, 23, 37, 41, 59])
    func corruptionIsContained(seed: UInt64) throws {
        let dir = TestDirectory("corrupt")
        defer { dir.remove() }
        let alerts = try populate(dir, count: 260)
        let locations = try AlertStore.openReadOnly(directory: dir.path).recordLocations()
        #expect(locations.count == alerts.count)

        var rng = SplitMix64(seed: seed)
        var hits: [String: [Int]] = [:]      // path -> flipped offsets
        var cuts: [String: Int] = [:]        // path -> new length
        let sealedFiles = dir.files(prefix: "seg-")
        let wal = try #require(dir.files(prefix: "wal-").first)
        #expect(sealedFiles.count >= 6)
        var victims = sealedFiles.shuffled(using: &rng).prefix(4)
        victims.append(wal)
        for (i, path) in victims.enumerated() {
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            if i == 0 {
                let cut = Int(rng.next() % UInt64(bytes.count - 64)) + 32
                bytes.removeSubrange(cut...)
                cuts[path] = cut
            } else {
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let offset = Int(rng.next() % UInt64(bytes.count))
                    bytes[offset] ^= UInt8(1 << (rng.next() % 8))
                    hits[path, default: []].append(offset)
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        func damaged(_ id: UInt64) -> Bool {
            guard let (path, range) = locations[id] else { return true }
            if let cut = cuts[path], range.upperBound > cut { return true }
            return hits[path]?.contains(where: range.contains) ?? false
        }

        for readOnly in [true, false] {
            let store = try AlertStore(configuration: configuration(dir), readOnly: readOnly)
            let report = store.recoveryReport
            #expect(!report.isClean, "damage must be reported")
            let all = try store.query(AlertQuery(limit: .max))
            #expect(all.allSatisfy { alerts[$0.id.rawValue] == $0 }, "every returned alert is intact")
            let returned = Set(all.map(\.id.rawValue))
            let undamaged = alerts.keys.filter { !damaged($0) }
            let missing = undamaged.filter { !returned.contains($0) }
            #expect(missing.isEmpty, "undamaged alerts missing: \(missing.sorted()) report: \(report)")
            #expect(undamaged.count < alerts.count, "the damage hit at least one alert")
            for id in undamaged.prefix(40) { #expect(try store.alert(id: AlertID(id)) == alerts[id]) }
            // Every flipped byte inside a record or block is covered by a reported range.
            for (path, offsets) in hits {
                for offset in offsets where locations.values.contains(where: { $0.path == path && $0.range.contains(offset) }) {
                    let covered = store.status.damaged.contains { $0.path == path && ($0.offset..<($0.offset + $0.length)).contains(offset) }
                    #expect(covered, "flip at \(path):\(offset) not reported: \(report)")
                }
            }
            store.close()
        }
        // Once repaired (the write-ahead segment re-sealed), the store keeps working.
        let store = try AlertStore(configuration: configuration(dir))
        let id = try store.append(synthetic.alert(5000))
        #expect(try store.alert(id: id)?.window.key == SyntheticAlerts.key(5000))
    }
}
