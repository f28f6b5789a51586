#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Appends, labels, syncs, seals and the ring.
extension AlertStore {
    /// Stores an alert, or folds it into the alert with the same signature seen within the
    /// aggregation window. The store assigns ids (`alert.id` is ignored). Returns the id it
    /// is stored under once it is in the write-ahead segment and synced as the policy
    /// requires (see `SyncPolicy`); call `sync()` before saving a source checkpoint when the
    /// policy is batched.
    @discardableResult
    public func append(_ alert: Alert) throws(AlertStoreError) -> AlertID {
        lock.lock()
        defer { lock.unlock() }
        let active = try writableActive()
        let signature = alert.signature
        let window = configuration.aggregationWindow.microseconds
        var stored: StoredAlert
        var isNew = false
        if var existing = aggregation[signature],
           alert.firstSeen.microsecondsSinceEpoch <= existing.alert.lastSeen.microsecondsSinceEpoch + window,
           alert.lastSeen.microsecondsSinceEpoch + window >= existing.alert.firstSeen.microsecondsSinceEpoch {
            existing.alert.lastSeen = max(existing.alert.lastSeen, alert.lastSeen)
            existing.alert.count += alert.count
            existing.histogram.record(alert.firstSeen, count: alert.count)
            if case .skipped = existing.alert.verdict.status, alert.verdict.status != existing.alert.verdict.status {
                existing.alert.verdict = alert.verdict
            }
            if alert.suspicion.score > existing.alert.suspicion.score { existing.alert.suspicion = alert.suspicion }
            stored = existing
        } else {
            var fresh = alert
            fresh.id = AlertID(nextID)
            stored = StoredAlert(alert: fresh)
            isNew = true
        }
        try write(stored, to: active)
        if isNew { nextID += 1 }
        remember(stored)
        try syncIfRequired(stored, active: active)
        maintainLocked()
        return stored.alert.id
    }

    /// Sets (or replaces) the operator's label on a stored alert.
    public func label(id: AlertID, _ label: OperatorLabel) throws(AlertStoreError) {
        try update(id: id) { $0.operatorLabel = label }
    }

    /// Replaces the verdict of a stored alert (a window judged again after it was stored as
    /// skipped). Returns the alert as now stored.
    @discardableResult
    public func revise(id: AlertID, verdict: Verdict) throws(AlertStoreError) -> Alert {
        try update(id: id) { $0.verdict = verdict }
    }

    /// Writes a changed version of a stored alert; the newest version wins on reading.
    @discardableResult
    private func update(id: AlertID, _ change: (inout Alert) -> Void) throws(AlertStoreError) -> Alert {
        lock.lock()
        defer { lock.unlock() }
        let active = try writableActive()
        guard var stored = try storedLocked(id: id) else { throw .notFound(id) }
        change(&stored.alert)
        try write(stored, to: active)
        if aggregation[stored.alert.signature]?.alert.id == id { remember(stored) }
        try syncIfRequired(stored, active: active)
        maintainLocked()
        return stored.alert
    }

    /// Forces every appended alert to disk (before a source checkpoint is saved).
    public func sync() throws(AlertStoreError) {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw .closed(directory: layout.directory) }
        try active?.sync(now: now)
    }

    /// Periodic upkeep for the owner's timer: syncs when the batch interval passed, seals an
    /// old write-ahead segment, removes expired segments.
    public func maintain() {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed, !isReadOnly, let active else { return }
        if active.unsynced > 0, now - active.lastSync >= configuration.syncPolicy.interval.microseconds {
            do { try active.sync(now: now) } catch { note(error) }
        }
        maintainLocked()
    }

    func writableActive() throws(AlertStoreError) -> ActiveSegment {
        guard !isClosed else { throw .closed(directory: layout.directory) }
        guard !isReadOnly, let active else { throw .readOnly(directory: layout.directory) }
        return active
    }

    func write(_ stored: StoredAlert, to active: ActiveSegment) throws(AlertStoreError) {
        let (index, body, payload) = RecordIndex.encodeBody(stored)
        do {
            try active.append(body: body, index: index, payload: payload)
        } catch {
            if case let .diskFull(path) = error, diskFull == nil {
                diskFull = "\(path): no space left on device since \(EventTime(microsecondsSinceEpoch: now).secondsSinceEpoch)"
                configuration.eventHandler?(.diskFull(diskFull!))
            }
            note(error)
            throw error
        }
        if diskFull != nil {
            diskFull = nil
            configuration.eventHandler?(.diskSpaceAvailable(active.path))
        }
        if index.id < active.firstNewID { newestHome[index.id] = active.seq }
        publish(stored, index: index)
    }

    func syncIfRequired(_ stored: StoredAlert, active: ActiveSegment) throws(AlertStoreError) {
        let policy = configuration.syncPolicy
        var immediate = active.unsynced >= policy.count || now - active.lastSync >= policy.interval.microseconds
        if let p = policy.immediatePriority, let priority = stored.priority, priority <= p { immediate = true }
        if policy.immediateOnAbnormal, stored.alert.verdict.label == .abnormal { immediate = true }
        if immediate {
            do { try active.sync(now: now) } catch {
                note(error)
                throw error
            }
        }
    }

    func note(_ error: AlertStoreError) {
        lastError = error.description
        configuration.eventHandler?(.failed(error.description))
    }

    /// Seals the write-ahead segment when it is full or old, then applies the ring caps.
    /// Failures are recorded in `status` and retried on the next call; they never undo an
    /// acknowledged append.
    func maintainLocked() {
        guard let active, !isReadOnly else { return }
        let full = active.byteCount >= configuration.segmentMaxBytes
        let old = !active.entries.isEmpty && now - active.createdAt >= configuration.segmentMaxAge.microseconds
        if full || old {
            do { try sealActive() } catch {
                if case .diskFull = error, diskFull == nil {
                    diskFull = "\(error)"
                    configuration.eventHandler?(.diskFull(diskFull!))
                }
                note(error)
            }
        }
        enforceRing()
    }

    /// Writes the write-ahead segment's newest versions as a sealed segment, durably, then
    /// starts a new write-ahead segment and deletes the old one. A crash at any point leaves
    /// either the old log (sealed again on recovery) or the sealed segment.
    func sealActive() throws(AlertStoreError) {
        guard let current = active else { return }
        try current.sync(now: now)
        // Records are grouped by unit (or source) and ordered by time inside a group, so the
        // alerts of one unit share a few blocks: "newest for unit X" then decompresses those
        // blocks only, and similar records compress better side by side.
        let entries = current.latestEntries.sorted {
            let a = $0.index.units.first ?? $0.index.source, b = $1.index.units.first ?? $1.index.source
            return a != b ? a < b : ($0.index.lastSeen, $0.index.id) < ($1.index.lastSeen, $1.index.id)
        }
        let path = layout.sealedPath(current.seq)
        if !entries.isEmpty {
            let records = entries.map { ($0.index, current.data[$0.body]) }
            let (segment, bytes) = try SealedSegment.build(path: path, seq: current.seq, firstNewID: current.firstNewID,
                                                           records: records, blockMaxBytes: configuration.blockMaxBytes,
                                                           codec: codec)
            try StoreFile.writeDurably(bytes, to: path)
            let next: ActiveSegment
            do {
                next = try ActiveSegment.create(path: layout.activePath(current.seq + 1), seq: current.seq + 1,
                                                firstNewID: nextID, now: now)
            } catch {
                // Keep the log authoritative: without a successor it must not look sealed.
                try? StoreFile.unlink(path)
                throw error
            }
            current.close()
            try StoreFile.unlink(current.path)
            try StoreFile.syncDirectory(layout.directory)
            adopt(segment)
            active = next
            configuration.eventHandler?(.sealed(segment: path, alerts: segment.alertCount, bytes: segment.fileBytes))
        } else {
            let next = try ActiveSegment.create(path: layout.activePath(current.seq + 1), seq: current.seq + 1,
                                                firstNewID: nextID, now: now)
            current.close()
            try StoreFile.unlink(current.path)
            try StoreFile.syncDirectory(layout.directory)
            active = next
        }
    }

    /// Removes oldest sealed segments while their newest alert is past `maxAge` or the store is
    /// over its byte budget (keeping room for a full write-ahead segment). Removals for space
    /// carry forward what the quota keeps, at most half a segment's bytes per call, so the
    /// write-ahead segment stays under 1.5 segments and the work per call stays bounded.
    func enforceRing() {
        let budget = configuration.totalMaxBytes - configuration.segmentMaxBytes
        var sealedBytes = sealed.reduce(0) { $0 + $1.fileBytes }
        let cutoff = configuration.maxAge.map { now - $0.microseconds }
        var carriedBytes = 0
        while let oldest = sealed.first {
            let reason: String
            let forSpace: Bool
            if let cutoff, oldest.maxLast < cutoff {
                (reason, forSpace) = ("older than the maximum age", false)
            } else if sealedBytes > budget {
                (reason, forSpace) = ("over the \(configuration.totalMaxBytes)-byte budget", true)
            } else {
                break
            }
            do {
                let allowance = configuration.segmentMaxBytes / 2 - carriedBytes
                carriedBytes += try removeOldest(reason: reason, carryAllowance: forSpace && allowance > 0 ? allowance : nil)
            } catch {
                note(error)
                return
            }
            sealedBytes -= oldest.fileBytes
        }
    }
}
