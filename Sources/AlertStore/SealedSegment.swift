import RationCore

/// What one compressed block of a sealed segment holds, so queries skip blocks unread.
struct BlockSummary: Sendable {
    var offset: Int
    var length: Int
    var count: Int
    var minFirst: Int64
    var maxLast: Int64
    var minID: UInt64
    var maxID: UInt64
    /// Most severe priority (smallest raw value) in the block.
    var minPriority: UInt8
    var verdictMask: UInt8
    var labelMask: UInt8
    var maxScore: Double
    /// Indices into the segment's string table of every unit and source in the block.
    var strings: [UInt16]
    /// Set when the string table overflowed: the block cannot be skipped by unit or source.
    var unfiltered: Bool

    init(offset: Int, length: Int) {
        self.offset = offset
        self.length = length
        count = 0
        minFirst = .max
        maxLast = .min
        minID = .max
        maxID = 0
        minPriority = RecordIndex.noPriority
        verdictMask = 0
        labelMask = 0
        maxScore = -.infinity
        strings = []
        unfiltered = false
    }

    mutating func add(_ h: RecordIndex, stringIDs: [UInt16]?) {
        count += 1
        minFirst = min(minFirst, h.firstSeen)
        maxLast = max(maxLast, h.lastSeen)
        minID = min(minID, h.id)
        maxID = max(maxID, h.id)
        minPriority = min(minPriority, h.priority)
        verdictMask |= 1 << h.verdict
        labelMask |= 1 << h.label
        maxScore = max(maxScore, h.score)
        if let stringIDs {
            for s in stringIDs where !strings.contains(s) { strings.append(s) }
        } else {
            unfiltered = true
        }
    }

    func mayMatch(_ q: AlertQuery, unitID: UInt16?, sourceID: UInt16?) -> Bool {
        if let since = q.since, maxLast < since.microsecondsSinceEpoch { return false }
        if let until = q.until, minFirst > until.microsecondsSinceEpoch { return false }
        if let s = q.severity, minPriority > UInt8(s.rawValue) { return false }
        if let v = q.verdict, verdictMask & (1 << RecordIndex.code(v)) == 0 { return false }
        if let l = q.operatorLabel, labelMask & (1 << RecordIndex.code(l)) == 0 { return false }
        if let m = q.minScore, maxScore < m { return false }
        if !unfiltered {
            if q.unit != nil { guard let unitID, strings.contains(unitID) else { return false } }
            if q.source != nil { guard let sourceID, strings.contains(sourceID) else { return false } }
        }
        return true
    }
}

/// A sealed, immutable segment: header, zstd blocks of records, a footer index and a trailer.
///
/// Header (32 bytes): "RATSEG01" · format u32 · seq u64 · firstNewID u64 · crc u32.
/// Block: magic u32 "RBLK" · compressed length u32 · raw length u32 · records u32 ·
/// crc u32 (of the four fields before it and the compressed bytes) · zstd frame of
/// (length u32 · body)…
/// Footer: the block summaries and string table; trailer (24 bytes): footer offset u64 ·
/// footer length u32 · footer crc u32 · "RATEND01".
/// The footer ends with the per-source usage (count u32 · (source str16 · alerts u32 · bytes u64 ·
/// protected alerts u32 · protected bytes u64)…); footers written before it end after the blocks,
/// and readers that predate it stop there.
final class SealedSegment {
    static let magic: [UInt8] = Array("RATSEG01".utf8)
    static let endMagic: [UInt8] = Array("RATEND01".utf8)
    static let format: UInt32 = 1
    static let headerSize = 32
    static let blockMagic: UInt32 = 0x4B4C_4252 // "RBLK"
    static let blockHeaderSize = 20
    static let trailerSize = 24
    static let maxStrings = Int(UInt16.max)

    let path: String
    let seq: UInt64
    /// 0 when the header was unreadable.
    var firstNewID: UInt64
    var fileBytes: Int
    var blocks: [BlockSummary] = []
    var strings: [String] = []
    var stringIndex: [String: UInt16] = [:]
    /// Ids of alerts first written in an older segment whose newer version lives here.
    var updatedIDs: [UInt64] = []
    var damaged: [DamagedRange] = []
    var indexRebuilt = false
    /// Per-source usage of the records (every version); nil until measured when the footer
    /// predates it (`measuredUsage`).
    var usage: [String: SourceUsage]?

    init(path: String, seq: UInt64, firstNewID: UInt64, fileBytes: Int) {
        self.path = path
        self.seq = seq
        self.firstNewID = firstNewID
        self.fileBytes = fileBytes
    }

    var alertCount: Int { blocks.reduce(0) { $0 + $1.count } }
    var minFirst: Int64 { blocks.map(\.minFirst).min() ?? .max }
    var maxLast: Int64 { blocks.map(\.maxLast).max() ?? .min }
    var maxID: UInt64 { blocks.map(\.maxID).max() ?? 0 }

    func stringID(_ s: String) -> UInt16? { stringIndex[s] }

    private func intern(_ s: String) -> UInt16? {
        if let i = stringIndex[s] { return i }
        guard strings.count < Self.maxStrings else { return nil }
        let i = UInt16(strings.count)
        strings.append(s)
        stringIndex[s] = i
        return i
    }

    private func stringIDs(of h: RecordIndex) -> [UInt16]? {
        var ids: [UInt16] = []
        guard let s = intern(h.source) else { return nil }
        ids.append(s)
        for u in h.units {
            guard let i = intern(u) else { return nil }
            ids.append(i)
        }
        return ids
    }

    // MARK: Writing

    /// Builds the file bytes of a segment holding `records` (index, body) in order.
    static func build(path: String, seq: UInt64, firstNewID: UInt64, records: [(RecordIndex, ArraySlice<UInt8>)],
                      blockMaxBytes: Int, codec: ZstdBlockCodec) throws(AlertStoreError) -> (SealedSegment, [UInt8]) {
        let segment = SealedSegment(path: path, seq: seq, firstNewID: firstNewID, fileBytes: 0)
        var out = ByteWriter(capacity: 1 << 20)
        out.raw(headerBytes(seq: seq, firstNewID: firstNewID))
        var raw = ByteWriter(capacity: blockMaxBytes + 4096)
        var summary = BlockSummary(offset: 0, length: 0)
        func flush() throws(AlertStoreError) {
            guard summary.count > 0 else { return }
            guard let compressed = codec.compress(raw.bytes) else {
                throw .encoding(path: path, detail: "zstd compression failed")
            }
            summary.offset = out.bytes.count
            var header = ByteWriter(capacity: blockHeaderSize)
            header.u32(blockMagic)
            header.u32(UInt32(compressed.count))
            header.u32(UInt32(raw.bytes.count))
            header.u32(UInt32(summary.count))
            var crc = header.bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[4..<16])) }
            crc = compressed.withUnsafeBytes { CRC32C.checksum($0, seed: crc) }
            header.u32(crc)
            out.raw(header.bytes)
            out.raw(compressed)
            summary.length = blockHeaderSize + compressed.count
            segment.blocks.append(summary)
            summary = BlockSummary(offset: 0, length: 0)
            raw = ByteWriter(capacity: blockMaxBytes + 4096)
        }
        segment.usage = SourceUsage.of(records.lazy.map { ($0.0, $0.1.count) })
        for (index, body) in records {
            if summary.count > 0, raw.bytes.count + body.count + 4 > blockMaxBytes { try flush() }
            raw.u32(UInt32(body.count))
            raw.raw(body)
            summary.add(index, stringIDs: segment.stringIDs(of: index))
            if index.id < firstNewID { segment.updatedIDs.append(index.id) }
        }
        try flush()
        let footerOffset = out.bytes.count
        let footer = segment.footerBytes()
        out.raw(footer)
        out.u64(UInt64(footerOffset))
        out.u32(UInt32(footer.count))
        out.u32(CRC32C.checksum(footer))
        out.raw(endMagic)
        segment.fileBytes = out.bytes.count
        return (segment, out.bytes)
    }

    static func headerBytes(seq: UInt64, firstNewID: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.raw(magic)
        w.u32(format)
        w.u64(seq)
        w.u64(firstNewID)
        w.u32(CRC32C.checksum(w.bytes, 8..<28))
        return w.bytes
    }

    private func footerBytes() -> [UInt8] {
        var w = ByteWriter(capacity: 4096)
        w.u32(Self.format)
        w.u64(seq)
        w.u64(firstNewID)
        w.u32(UInt32(updatedIDs.count))
        for id in updatedIDs { w.u64(id) }
        w.u32(UInt32(strings.count))
        for s in strings { w.string16(s) }
        w.u32(UInt32(blocks.count))
        for b in blocks {
            w.u64(UInt64(b.offset))
            w.u32(UInt32(b.length))
            w.u32(UInt32(b.count))
            w.i64(b.minFirst)
            w.i64(b.maxLast)
            w.u64(b.minID)
            w.u64(b.maxID)
            w.u8(b.minPriority)
            w.u8(b.verdictMask)
            w.u8(b.labelMask)
            w.u8(b.unfiltered ? 1 : 0)
            w.f64(b.maxScore)
            w.u16(UInt16(b.strings.count))
            for s in b.strings { w.u16(s) }
        }
        if let usage {
            w.u32(UInt32(usage.count))
            for (source, u) in usage.sorted(by: { $0.key < $1.key }) {
                w.string16(source)
                w.u32(UInt32(clamping: u.alerts))
                w.u64(UInt64(u.bytes))
                w.u32(UInt32(clamping: u.protectedAlerts))
                w.u64(UInt64(u.protectedBytes))
            }
        }
        return w.bytes
    }

    // MARK: Opening

    /// Opens a sealed segment from its footer, or rebuilds the index by scanning the blocks
    /// when the footer is unreadable. With `verify`, every block's CRC is checked.
    static func open(path: String, seq: UInt64, verify: Bool, codec: ZstdBlockCodec) throws(AlertStoreError) -> SealedSegment {
        guard let size = StoreFile.size(path) else { throw .fromErrno(path, "stat") }
        let segment = SealedSegment(path: path, seq: seq, firstNewID: 0, fileBytes: size)
        let head = try StoreFile.pread(path, offset: 0, count: headerSize)
        if head.count == headerSize, Array(head[0..<8]) == magic {
            var r = ByteReader(head, range: 8..<headerSize)
            if let format = try? r.u32(), let hseq = try? r.u64(), let fnid = try? r.u64(), let crc = try? r.u32(),
               crc == CRC32C.checksum(head, 8..<28) {
                guard format <= Self.format else {
                    throw .newerSchema(path: path, found: Int(format), supported: Int(Self.format))
                }
                if hseq == seq { segment.firstNewID = fnid }
            }
        }
        if segment.firstNewID == 0 {
            segment.damaged.append(DamagedRange(path: path, offset: 0, length: min(headerSize, size),
                                                reason: "segment header unreadable"))
        }
        if size >= headerSize + trailerSize, segment.loadFooter(size: size) {
            if verify { try segment.verifyBlocks() }
            return segment
        }
        try segment.rebuildByScanning(codec: codec)
        return segment
    }

    private func loadFooter(size: Int) -> Bool {
        guard let trailer = try? StoreFile.pread(path, offset: size - Self.trailerSize, count: Self.trailerSize),
              trailer.count == Self.trailerSize, Array(trailer[16..<24]) == Self.endMagic else { return false }
        var t = ByteReader(trailer)
        // A damaged trailer may hold any offset: compare it with the size before making it an Int.
        guard let rawOffset = try? t.u64(), let footerLength = try? t.u32(), let footerCRC = try? t.u32(),
              rawOffset <= UInt64(size), case let footerOffset = Int(rawOffset),
              footerOffset >= Self.headerSize, footerOffset + Int(footerLength) + Self.trailerSize == size,
              let footer = try? StoreFile.pread(path, offset: footerOffset, count: Int(footerLength)),
              footer.count == Int(footerLength), CRC32C.checksum(footer) == footerCRC else { return false }
        do {
            var r = ByteReader(footer)
            guard try r.u32() <= Self.format, try r.u64() == seq else { return false }
            let fnid = try r.u64()
            if firstNewID == 0 { firstNewID = fnid }
            let nUpdated = Int(try r.u32())
            guard nUpdated <= footer.count / 8 else { return false }
            updatedIDs = []
            for _ in 0..<nUpdated { updatedIDs.append(try r.u64()) }
            let nStrings = Int(try r.u32())
            guard nStrings <= footer.count / 2 else { return false }
            strings = []
            for i in 0..<nStrings {
                let s = try r.string16()
                strings.append(s)
                stringIndex[s] = UInt16(i)
            }
            let nBlocks = Int(try r.u32())
            guard nBlocks <= footer.count / 40 else { return false }
            for _ in 0..<nBlocks {
                var b = BlockSummary(offset: Int(clamping: try r.u64()), length: Int(try r.u32()))
                b.count = Int(try r.u32())
                b.minFirst = try r.i64()
                b.maxLast = try r.i64()
                b.minID = try r.u64()
                b.maxID = try r.u64()
                b.minPriority = try r.u8()
                b.verdictMask = try r.u8()
                b.labelMask = try r.u8()
                b.unfiltered = try r.u8() != 0
                b.maxScore = try r.f64()
                let n = Int(try r.u16())
                for _ in 0..<n { b.strings.append(try r.u16()) }
                guard b.offset >= Self.headerSize, b.offset <= footerOffset, b.length <= footerOffset - b.offset else {
                    return false
                }
                blocks.append(b)
            }
            if r.remaining > 0 {
                let nSources = Int(try r.u32())
                guard nSources <= footer.count / 26 else { return false }
                var measured: [String: SourceUsage] = [:]
                for _ in 0..<nSources {
                    let source = try r.string16()
                    measured[source] = SourceUsage(alerts: Int(try r.u32()), bytes: Int(clamping: try r.u64()),
                                                   protectedAlerts: Int(try r.u32()), protectedBytes: Int(clamping: try r.u64()))
                }
                usage = measured
            }
            return true
        } catch {
            usage = nil
            blocks = []
            strings = []
            stringIndex = [:]
            updatedIDs = []
            return false
        }
    }

    /// Checks every block's CRC against the file; damaged blocks are dropped from the index
    /// and reported.
    private func verifyBlocks() throws(AlertStoreError) {
        let bytes = try StoreFile.readAll(path)
        var kept: [BlockSummary] = []
        for b in blocks {
            if Self.validBlock(in: bytes, at: b.offset).map({ $0.end == b.offset + b.length && $0.count == b.count }) ?? false {
                kept.append(b)
            } else {
                damaged.append(DamagedRange(path: path, offset: b.offset, length: b.length,
                                            reason: "corrupt block (CRC mismatch)", alertsLost: b.count))
            }
        }
        blocks = kept
    }

    /// A block header at `offset` whose CRC matches: its end, record count and raw size.
    static func validBlock(in bytes: [UInt8], at offset: Int) -> (end: Int, count: Int, rawLength: Int)? {
        guard offset + blockHeaderSize <= bytes.count else { return nil }
        var r = ByteReader(bytes, range: offset..<(offset + blockHeaderSize))
        guard let m = try? r.u32(), m == blockMagic, let compLen = try? r.u32(), let rawLen = try? r.u32(),
              let count = try? r.u32(), let crc = try? r.u32(), rawLen <= 64 << 20 else { return nil }
        let end = offset + blockHeaderSize + Int(compLen)
        guard end <= bytes.count else { return nil }
        var c = CRC32C.checksum(bytes, (offset + 4)..<(offset + 16))
        c = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(offset + blockHeaderSize)..<end]), seed: c) }
        guard c == crc else { return nil }
        return (end, Int(count), Int(rawLen))
    }

    /// Rebuilds the index from the blocks themselves, skipping damaged stretches.
    private func rebuildByScanning(codec: ZstdBlockCodec) throws(AlertStoreError) {
        indexRebuilt = true
        blocks = []
        strings = []
        stringIndex = [:]
        updatedIDs = []
        var measured: [[String: SourceUsage]] = []
        defer { usage = SourceUsage.merged(measured) }
        let bytes = try StoreFile.readAll(path)
        var offset = Self.headerSize
        var damageStart: Int?
        while offset + Self.blockHeaderSize <= bytes.count {
            if let block = Self.validBlock(in: bytes, at: offset),
               let raw = codec.decompress(bytes, (offset + Self.blockHeaderSize)..<block.end, size: block.rawLength),
               let records = Self.records(in: raw), records.count == block.count {
                if let start = damageStart {
                    damaged.append(DamagedRange(path: path, offset: start, length: offset - start,
                                                reason: "corrupt block (CRC mismatch)"))
                    damageStart = nil
                }
                var summary = BlockSummary(offset: offset, length: block.end - offset)
                measured.append(SourceUsage.of(zip(records.map(\.0), Self.bodyRanges(records).map(\.count))))
                for (index, _) in records {
                    summary.add(index, stringIDs: stringIDs(of: index))
                    if firstNewID != 0, index.id < firstNewID { updatedIDs.append(index.id) }
                }
                blocks.append(summary)
                offset = block.end
                continue
            }
            if damageStart == nil { damageStart = offset }
            offset += 1
        }
        let tailStart = damageStart ?? offset
        if tailStart < bytes.count {
            damaged.append(DamagedRange(path: path, offset: tailStart, length: bytes.count - tailStart,
                                        reason: blocks.isEmpty && tailStart == Self.headerSize
                                            ? "no readable block" : "index footer or trailing blocks unreadable; index rebuilt from the blocks"))
        }
    }

    // MARK: Reading

    /// The records (index, payload range) in a decompressed block, or nil when malformed.
    static func records(in raw: [UInt8]) -> [(RecordIndex, Range<Int>)]? {
        var result: [(RecordIndex, Range<Int>)] = []
        var r = ByteReader(raw)
        while r.remaining > 0 {
            guard let n = try? r.u32(), let body = try? r.range(Int(n)),
                  let decoded = try? RecordIndex.decode(raw, body) else { return nil }
            result.append(decoded)
        }
        return result
    }

    /// The body of each record `records(in:)` returned: records lie back to back, each a
    /// length u32 then a body that ends where its payload ends.
    static func bodyRanges(_ records: [(RecordIndex, Range<Int>)]) -> [Range<Int>] {
        var start = 0
        return records.map { record in
            defer { start = record.1.upperBound }
            return (start + 4)..<record.1.upperBound
        }
    }

    /// Per-source usage, read from the blocks once when the footer predates it; damaged blocks
    /// count for nothing.
    func measuredUsage(codec: ZstdBlockCodec) -> [String: SourceUsage] {
        if let usage { return usage }
        var parts: [[String: SourceUsage]] = []
        for bi in blocks.indices {
            guard let (_, records) = try? readBlock(bi, codec: codec) else { continue }
            parts.append(SourceUsage.of(zip(records.map(\.0), Self.bodyRanges(records).map(\.count))))
        }
        let measured = SourceUsage.merged(parts)
        usage = measured
        return measured
    }

    /// Reads and decompresses one block; nil (and reported damage) when it fails its check.
    func readBlock(_ i: Int, codec: ZstdBlockCodec) throws(AlertStoreError) -> (raw: [UInt8], records: [(RecordIndex, Range<Int>)])? {
        let b = blocks[i]
        let bytes = try StoreFile.pread(path, offset: b.offset, count: b.length)
        guard let block = Self.validBlock(in: bytes, at: 0), block.end == b.length,
              let raw = codec.decompress(bytes, Self.blockHeaderSize..<block.end, size: block.rawLength),
              let records = Self.records(in: raw) else {
            return nil
        }
        return (raw, records)
    }
}
