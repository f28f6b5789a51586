import RationCore

extension AlertStore {
    public var status: AlertStoreStatus {
        lock.lock()
        defer { lock.unlock() }
        let activeBytes = active?.byteCount ?? 0
        let activeNew = active.map { a in a.latest.keys.filter { $0 >= a.firstNewID }.count } ?? 0
        let sealedAlerts = sealed.reduce(0) { $0 + $1.alertCount - $1.updatedIDs.count }
        let floor = sealed.first?.firstNewID ?? active?.firstNewID ?? nextID
        // Updated or carried alerts whose first segment is gone count once, where they now live.
        let movedAlerts = newestHome.keys.count { $0 < floor }
        let sources = SourceUsage.merged(sealed.map { $0.measuredUsage(codec: codec) } + [active?.usage ?? [:]])
        let firsts = sealed.map(\.minFirst) + (active?.entries.map(\.index.firstSeen) ?? [])
        let lasts = sealed.map(\.maxLast) + (active?.entries.map(\.index.lastSeen) ?? [])
        return AlertStoreStatus(
            directory: layout.directory,
            bytesUsed: sealed.reduce(0) { $0 + $1.fileBytes } + activeBytes,
            sealedSegments: sealed.count,
            activeSegmentBytes: activeBytes,
            alerts: sealedAlerts + activeNew + movedAlerts,
            removedSegments: removedSegments,
            removedAlerts: removedAlerts,
            removedBySource: removedBySource,
            carriedAlerts: carriedAlerts,
            sources: sources,
            corruptRangesSkipped: damaged.count,
            damaged: damaged,
            diskFull: diskFull,
            lastError: lastError,
            unsyncedRecords: active?.unsynced ?? 0,
            oldest: firsts.min().map { EventTime(microsecondsSinceEpoch: $0) },
            newest: lasts.max().map { EventTime(microsecondsSinceEpoch: $0) },
            oldestRetainedID: AlertID(floor),
            nextID: AlertID(nextID),
            readOnly: isReadOnly)
    }
}
