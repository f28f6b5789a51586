#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Opening: schema check, leftovers of interrupted seals, sealed segment indexes, the
/// write-ahead scan, and the state rebuilt from them.
extension AlertStore {
    func open(report: inout RecoveryReport) throws(AlertStoreError) {
        let existing = try layout.readSchema(supported: Self.schemaVersion)
        var sealedSeqs: [UInt64] = []
        var activeSeqs: [UInt64] = []
        for name in try StoreFile.list(layout.directory) {
            switch StoreLayout.classify(name) {
            case let .sealed(seq): sealedSeqs.append(seq)
            case let .active(seq): activeSeqs.append(seq)
            case .temporary:
                if !isReadOnly {
                    try StoreFile.unlink(layout.directory + "/" + name)
                    report.removedLeftovers.append(name)
                }
            case .other: break
            }
        }
        if existing == nil, !isReadOnly { try layout.writeSchema(Self.schemaVersion) }
        sealedSeqs.sort()
        activeSeqs.sort()
        let sealedSet = Set(sealedSeqs)
        // A write-ahead log whose sealed segment exists was sealed just before a crash.
        for seq in activeSeqs where sealedSet.contains(seq) {
            if !isReadOnly {
                try StoreFile.unlink(layout.activePath(seq))
                report.removedLeftovers.append(StoreLayout.activeName(seq))
            }
        }
        activeSeqs.removeAll { sealedSet.contains($0) }
        for seq in sealedSeqs {
            let path = layout.sealedPath(seq)
            let segment: SealedSegment
            do {
                segment = try SealedSegment.open(path: path, seq: seq, verify: configuration.verifyOnOpen, codec: codec)
            } catch {
                if case .newerSchema = error { throw error }
                report.damaged.append(DamagedRange(path: path, offset: 0, length: StoreFile.size(path) ?? 0,
                                                   reason: "unreadable segment: \(error)"))
                continue
            }
            report.damaged.append(contentsOf: segment.damaged)
            if segment.indexRebuilt { report.rebuiltIndexes.append(path) }
            adopt(segment)
        }
        nextID = max(nextID, (sealed.map(\.maxID).max() ?? 0) + 1)
        if sealed.isEmpty == false, let fnid = sealed.last?.firstNewID, fnid > nextID { nextID = fnid }
        let maxSealed = sealedSeqs.last ?? 0
        activeSeqs.removeAll { $0 < maxSealed }
        // Older unsealed logs (an interrupted seal chain) are sealed now; the newest stays active.
        for (i, seq) in activeSeqs.enumerated() {
            let isLast = i == activeSeqs.count - 1
            let recovery = try ActiveSegment.open(path: layout.activePath(seq), seq: seq, fallbackFirstNewID: nextID,
                                                  writable: !isReadOnly, now: now)
            let segment = recovery.segment
            if recovery.truncatedBytes > 0 {
                report.truncatedBytes += recovery.truncatedBytes
                report.truncatedPath = segment.path
                report.damaged.append(DamagedRange(path: segment.path, offset: recovery.validEnd, length: recovery.truncatedBytes,
                                                   reason: Self.tornTailReason))
            }
            report.damaged.append(contentsOf: recovery.damaged)
            if let maxActive = segment.entries.map(\.index.id).max() { nextID = max(nextID, maxActive + 1) }
            // Ids are never reused, even when the ring removed every sealed segment.
            nextID = max(nextID, segment.firstNewID)
            active = segment
            for entry in segment.latestEntries where entry.index.id < segment.firstNewID {
                newestHome[entry.index.id] = segment.seq
            }
            if !isReadOnly, !isLast || !recovery.damaged.isEmpty {
                try sealActive()
                if !recovery.damaged.isEmpty { report.resealed = true }
            }
        }
        guard !isReadOnly else { return }
        if active == nil {
            let seq = max(maxSealed, activeSeqs.last ?? 0) + 1
            active = try ActiveSegment.create(path: layout.activePath(seq), seq: seq, firstNewID: nextID, now: now)
        }
        rebuildAggregation()
        enforceRing()
    }

    func adopt(_ segment: SealedSegment) {
        sealed.append(segment)
        for id in segment.updatedIDs { newestHome[id] = segment.seq }
    }

    /// Refills the repeat-aggregation map from the alerts recent enough to be repeated: the
    /// newest sealed segments within the aggregation window, then the write-ahead segment.
    func rebuildAggregation() {
        guard let active else { return }
        let newest = max(active.entries.map(\.index.lastSeen).max() ?? .min, sealed.last?.maxLast ?? .min)
        let horizon = newest == .min ? Int64.max : newest - configuration.aggregationWindow.microseconds
        for segment in sealed.suffix(4) where segment.maxLast >= horizon {
            for bi in segment.blocks.indices where segment.blocks[bi].maxLast >= horizon {
                guard let (raw, records) = try? segment.readBlock(bi, codec: codec) else { continue }
                for (h, payload) in records where h.lastSeen >= horizon && isVisible(h.id, in: segment.seq) {
                    if let stored = try? decodeStored(raw, payload, path: segment.path) { remember(stored) }
                }
            }
        }
        for entry in active.latestEntries {
            if let stored = try? decodeStored(active.data, entry.payload, path: active.path) {
                remember(stored)
            }
        }
    }

    func remember(_ stored: StoredAlert) {
        let signature = stored.alert.signature
        aggregation[signature] = stored
        if aggregation.count > Self.aggregationCapacity {
            // Drop the half whose last occurrence is oldest.
            let keep = aggregation.sorted { $0.value.alert.lastSeen > $1.value.alert.lastSeen }.prefix(Self.aggregationCapacity / 2)
            aggregation = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    func decodeStored(_ bytes: [UInt8], _ range: Range<Int>, path: String) throws(AlertStoreError) -> StoredAlert {
        let stored: StoredAlert
        do { stored = try AlertBinaryCodec.decode(bytes, range) } catch {
            switch error {
            case let .newerFormat(found):
                throw .newerSchema(path: path, found: found, supported: Int(AlertBinaryCodec.format))
            case .malformed:
                throw .encoding(path: path, detail: "malformed stored alert")
            }
        }
        guard stored.schema <= Self.schemaVersion else {
            throw .newerSchema(path: path, found: stored.schema, supported: Self.schemaVersion)
        }
        return stored
    }
}
