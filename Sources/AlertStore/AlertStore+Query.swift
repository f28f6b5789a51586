#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RationCore

extension AlertStore {
    /// Alerts matching `query`, newest (last seen) first, at most `query.limit`.
    /// Sealed segments and blocks are visited newest first and skipped by their index (time
    /// range, units, sources, severities, verdicts); the scan stops once no older segment can
    /// enter the result.
    public func query(_ query: AlertQuery) throws(AlertStoreError) -> [Alert] {
        try queryStored(query).map(\.alert)
    }

    /// Like `query`, with each alert's stored envelope (occurrence histogram, schema).
    public func queryStored(_ query: AlertQuery) throws(AlertStoreError) -> [StoredAlert] {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw .closed(directory: layout.directory) }
        guard query.limit > 0 else { return [] }
        var top = TopCandidates(limit: query.limit)
        let needle = query.text.flatMap(TextPrefilter.init)

        func offer(_ h: RecordIndex, _ bytes: [UInt8], _ payload: Range<Int>, path: String) throws(AlertStoreError) {
            guard query.matches(h), top.wouldEnter(h) else { return }
            if query.text != nil {
                if let needle, !needle.mayContain(bytes, payload) { return }
                let stored = try decodeStored(bytes, payload, path: path)
                guard query.matchesText(stored) else { return }
                top.insert(h, .decoded(stored))
            } else {
                top.insert(h, .encoded(Array(bytes[payload]), path))
            }
        }

        if let active {
            for entry in active.latestEntries {
                try offer(entry.index, active.data, entry.payload, path: active.path)
            }
        }
        let order = sealed.indices.sorted { sealed[$0].maxLast > sealed[$1].maxLast }
        var damagedBlocks: [(segment: Int, block: Int)] = []
        for si in order {
            let segment = sealed[si]
            if let floor = top.floor(), segment.maxLast < floor.lastSeen { break }
            let unitID = query.unit.flatMap(segment.stringID)
            let sourceID = query.source.flatMap { segment.stringID($0.rawValue) }
            let blockOrder = segment.blocks.indices.sorted { segment.blocks[$0].maxLast > segment.blocks[$1].maxLast }
            for bi in blockOrder {
                let block = segment.blocks[bi]
                if let floor = top.floor(), block.maxLast < floor.lastSeen { break }
                guard block.mayMatch(query, unitID: unitID, sourceID: sourceID) else { continue }
                guard let (raw, records) = try segment.readBlock(bi, codec: codec) else {
                    damagedBlocks.append((si, bi))
                    continue
                }
                for (h, payload) in records where isVisible(h.id, in: segment.seq) {
                    try offer(h, raw, payload, path: segment.path)
                }
            }
        }
        forget(damagedBlocks)
        var result: [StoredAlert] = []
        for candidate in top.sorted() {
            switch candidate.payload {
            case let .decoded(stored): result.append(stored)
            case let .encoded(bytes, path): result.append(try decodeStored(bytes, 0..<bytes.count, path: path))
            }
        }
        return result
    }

    /// The newest version of one alert, or nil when the store does not hold it.
    public func alert(id: AlertID) throws(AlertStoreError) -> Alert? {
        try storedAlert(id: id)?.alert
    }

    public func storedAlert(id: AlertID) throws(AlertStoreError) -> StoredAlert? {
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { throw .closed(directory: layout.directory) }
        return try storedLocked(id: id)
    }

    func storedLocked(id: AlertID) throws(AlertStoreError) -> StoredAlert? {
        let raw = id.rawValue
        if let active, let i = active.latest[raw] {
            return try decodeStored(active.data, active.entries[i].payload, path: active.path)
        }
        var damagedBlocks: [(segment: Int, block: Int)] = []
        defer { forget(damagedBlocks) }
        for si in sealed.indices.reversed() where isVisible(raw, in: sealed[si].seq) {
            let segment = sealed[si]
            for bi in segment.blocks.indices.reversed() where segment.blocks[bi].minID <= raw && raw <= segment.blocks[bi].maxID {
                guard let (bytes, records) = try segment.readBlock(bi, codec: codec) else {
                    damagedBlocks.append((si, bi))
                    continue
                }
                if let (_, payload) = records.last(where: { $0.0.id == raw }) {
                    return try decodeStored(bytes, payload, path: segment.path)
                }
            }
        }
        return nil
    }

    /// Whether the version of `id` in segment `seq` is its newest.
    func isVisible(_ id: UInt64, in seq: UInt64) -> Bool {
        guard let home = newestHome[id] else { return true }
        return home == seq
    }

    /// Drops blocks that failed their check while reading from the index and reports them.
    func forget(_ blocks: [(segment: Int, block: Int)]) {
        for (si, bi) in blocks.sorted(by: { ($0.segment, $0.block) > ($1.segment, $1.block) }) {
            let segment = sealed[si]
            let b = segment.blocks[bi]
            let range = DamagedRange(path: segment.path, offset: b.offset, length: b.length,
                                     reason: "corrupt block (CRC mismatch) found while reading", alertsLost: b.count)
            segment.blocks.remove(at: bi)
            segment.damaged.append(range)
            damaged.append(range)
            configuration.eventHandler?(.damaged(range))
        }
    }
}

/// The best `limit` candidates seen so far by (last seen, id), newest first.
struct TopCandidates {
    enum Payload {
        case encoded([UInt8], String)
        case decoded(StoredAlert)
    }

    struct Key: Comparable {
        var lastSeen: Int64
        var id: UInt64
        static func < (a: Key, b: Key) -> Bool { (a.lastSeen, a.id) < (b.lastSeen, b.id) }
    }

    let limit: Int
    private var items: [(key: Key, payload: Payload)] = []
    private var floorKey: Key?
    private var dirty = false

    init(limit: Int) { self.limit = limit }

    func wouldEnter(_ h: RecordIndex) -> Bool {
        guard let floorKey else { return true }
        return Key(lastSeen: h.lastSeen, id: h.id) > floorKey
    }

    mutating func insert(_ h: RecordIndex, _ payload: Payload) {
        items.append((Key(lastSeen: h.lastSeen, id: h.id), payload))
        dirty = true
        if items.count >= limit, items.count - limit >= max(limit, 64) { compact() }
    }

    /// The key an alert must beat to enter, once `limit` candidates are held.
    mutating func floor() -> Key? {
        if dirty, items.count >= limit { compact() }
        return floorKey
    }

    private mutating func compact() {
        items.sort { $0.key > $1.key }
        if items.count > limit { items.removeSubrange(limit...) }
        floorKey = items.count >= limit ? items.last?.key : nil
        dirty = false
    }

    mutating func sorted() -> [(key: Key, payload: Payload)] {
        compact()
        return items
    }
}

/// A fast byte-level test that a payload may contain a text (payload strings are raw UTF-8).
struct TextPrefilter {
    let needle: [UInt8]

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        needle = bytes
    }

    func mayContain(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count >= needle.count else { return false }
        return bytes.withUnsafeBytes { raw in
            needle.withUnsafeBytes { n in
                let first = Int32(needle[0])
                var p = raw.baseAddress! + range.lowerBound
                let last = raw.baseAddress! + range.upperBound - needle.count
                while p <= last {
                    guard let hit = memchr(p, first, last - p + 1) else { return false }
                    if memcmp(hit, n.baseAddress!, needle.count) == 0 { return true }
                    p = UnsafeRawPointer(hit) + 1
                }
                return false
            }
        }
    }
}
