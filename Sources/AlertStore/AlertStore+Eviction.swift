#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Removing the oldest sealed segment, and carrying forward what the quotas keep of it.
extension AlertStore {
    /// Removes the oldest sealed segment. When it goes for space and quotas are on, the alerts
    /// `CarryForwardPlan` keeps are first written again, unchanged, to the write-ahead segment
    /// and synced: a crash before the unlink leaves both versions, and the newer one hides the
    /// older (`newestHome`), so nothing is lost or listed twice. Carries at most
    /// `carryAllowance` bytes (nil: none); returns the bytes carried.
    func removeOldest(reason: String, carryAllowance: Int?) throws(AlertStoreError) -> Int {
        guard let oldest = sealed.first else { return 0 }
        let usage = oldest.measuredUsage(codec: codec)
        var carriedBySource: [String: Int] = [:]
        var carriedBytes = 0
        if let carryAllowance, let quota = configuration.quota, let active {
            (carriedBySource, carriedBytes) = try carryForward(from: oldest, quota: quota, allowance: carryAllowance,
                                                               into: active)
        }
        try StoreFile.unlink(oldest.path)
        try StoreFile.syncDirectory(layout.directory)
        sealed.removeFirst()
        let carried = carriedBySource.values.reduce(0, +)
        removedSegments += 1
        removedAlerts += max(0, oldest.alertCount - carried)
        carriedAlerts += carried
        for (source, u) in usage {
            let dropped = u.alerts - (carriedBySource[source] ?? 0)
            if dropped > 0 { removedBySource[source, default: 0] += dropped }
        }
        newestHome = newestHome.filter { $0.value != oldest.seq }
        configuration.eventHandler?(.removed(segment: oldest.path, alerts: oldest.alertCount - carried,
                                             bytes: oldest.fileBytes, reason: reason))
        return carriedBytes
    }

    /// Writes the alerts of `segment` the quota keeps to `active` and syncs them. A failed
    /// write stops carrying (the rest is dropped with the segment); a failed sync keeps the
    /// segment, to be tried again.
    private func carryForward(from segment: SealedSegment, quota: StoreQuota, allowance: Int, into active: ActiveSegment)
        throws(AlertStoreError) -> (bySource: [String: Int], bytes: Int)
    {
        var records: [(index: RecordIndex, raw: [UInt8], body: Range<Int>, payload: Range<Int>)] = []
        var damagedBlocks: [(segment: Int, block: Int)] = []
        for bi in segment.blocks.indices {
            guard let (raw, block) = try segment.readBlock(bi, codec: codec) else {
                damagedBlocks.append((0, bi))
                continue
            }
            for (record, body) in zip(block, SealedSegment.bodyRanges(block)) where isVisible(record.0.id, in: segment.seq) {
                records.append((record.0, raw, body, record.1))
            }
        }
        forget(damagedBlocks)
        let remaining = SourceUsage.merged(sealed.dropFirst().map { $0.measuredUsage(codec: codec) } + [active.usage])
        let plan = CarryForwardPlan(candidates: records.map { .init(index: $0.index, bytes: $0.body.count) },
                                    remaining: remaining, quota: quota, allowance: allowance,
                                    expiresBefore: configuration.maxAge.map { now - $0.microseconds })
        var bySource: [String: Int] = [:]
        var bytes = 0
        for i in plan.carried {
            let r = records[i]
            let shift = r.body.lowerBound
            do {
                try active.append(body: Array(r.raw[r.body]), index: r.index,
                                  payload: (r.payload.lowerBound - shift)..<(r.payload.upperBound - shift))
            } catch {
                note(error)
                break
            }
            newestHome[r.index.id] = active.seq
            bySource[r.index.source, default: 0] += 1
            bytes += r.body.count
        }
        if bytes > 0 {
            do { try active.sync(now: now) } catch {
                note(error)
                throw error
            }
        }
        return (bySource, bytes)
    }
}
