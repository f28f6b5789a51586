import RationCore

extension AlertStore {
    public var status: AlertStoreStatus {
        lock.lock()
        defer { lock.unlock() }
        let activeBytes = active?.byteCount ?? 0
        let activeNew = active.map { a in a.latest.keys.filter { $0 >= a.firstNewID }.count } ?? 0
        let sealedAlerts = sealed.reduce(0) { $0 + $1.alertCount - $1.updatedIDs.count }
        let firsts = sealed.map(\.minFirst) + (active?.entries.map(\.index.firstSeen) ?? [])
        let lasts = sealed.map(\.maxLast) + (active?.entries.map(\.index.lastSeen) ?? [])
        return AlertStoreStatus(
            directory: layout.directory,
            bytesUsed: sealed.reduce(0) { $0 + $1.fileBytes } + activeBytes,
            sealedSegments: sealed.count,
            activeSegmentBytes: activeBytes,
            alerts: sealedAlerts + activeNew,
            removedSegments: removedSegments,
            removedAlerts: removedAlerts,
            corruptRangesSkipped: damaged.count,
            damaged: damaged,
            diskFull: diskFull,
            lastError: lastError,
            unsyncedRecords: active?.unsynced ?? 0,
            oldest: firsts.min().map { EventTime(microsecondsSinceEpoch: $0) },
            newest: lasts.max().map { EventTime(microsecondsSinceEpoch: $0) },
            oldestRetainedID: AlertID(sealed.first?.firstNewID ?? active?.firstNewID ?? nextID),
            nextID: AlertID(nextID),
            readOnly: isReadOnly)
    }
}
