#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// One record in the write-ahead segment: its index and where its body and payload lie in `data`.
struct ActiveEntry {
    var index: RecordIndex
    var body: Range<Int>
    var payload: Range<Int>
}

/// The write-ahead segment: a header, then CRC-checked records appended in order. Every
/// version of an alert (new, aggregated repeat, label) is a whole record; the newest wins.
/// The file's bytes are mirrored in memory (it is bounded by `segmentMaxBytes`).
///
/// Header (40 bytes): "RATWAL01" · format u32 · seq u64 · firstNewID u64 · createdAt i64 · crc u32.
/// Record: magic u32 "RREC" · body length u32 · crc32c(body) u32 · body (see `RecordIndex`).
final class ActiveSegment {
    static let magic: [UInt8] = Array("RATWAL01".utf8)
    static let format: UInt32 = 1
    static let headerSize = 40
    static let recordMagic: UInt32 = 0x4345_5252 // "RREC"
    static let recordHeaderSize = 12
    static let maxRecordBytes = 16 << 20

    let path: String
    let seq: UInt64
    /// Ids at or above this were first written in this segment; lower ids are updates of older alerts.
    let firstNewID: UInt64
    let createdAt: Int64
    private(set) var fd: Int32
    private(set) var data: [UInt8]
    private(set) var entries: [ActiveEntry] = []
    /// Latest entry index per id.
    private(set) var latest: [UInt64: Int] = [:]
    var unsynced = 0
    var lastSync: Int64

    private init(path: String, seq: UInt64, firstNewID: UInt64, createdAt: Int64, fd: Int32, data: [UInt8]) {
        self.path = path
        self.seq = seq
        self.firstNewID = firstNewID
        self.createdAt = createdAt
        self.fd = fd
        self.data = data
        self.lastSync = createdAt
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    static func header(seq: UInt64, firstNewID: UInt64, createdAt: Int64) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.raw(magic)
        w.u32(format)
        w.u64(seq)
        w.u64(firstNewID)
        w.i64(createdAt)
        w.u32(CRC32C.checksum(w.bytes, 8..<36))
        return w.bytes
    }

    /// Creates a new, empty segment durably (written to a temp file and renamed).
    static func create(path: String, seq: UInt64, firstNewID: UInt64, now: Int64) throws(AlertStoreError) -> ActiveSegment {
        let bytes = header(seq: seq, firstNewID: firstNewID, createdAt: now)
        try StoreFile.writeDurably(bytes, to: path)
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno(path, "open") }
        return ActiveSegment(path: path, seq: seq, firstNewID: firstNewID, createdAt: now, fd: fd, data: bytes)
    }

    struct Recovery {
        var segment: ActiveSegment
        var truncatedBytes: Int
        var validEnd: Int
        var damaged: [DamagedRange]
    }

    /// Opens an existing segment: scans to the last valid record, skips damaged ranges with
    /// valid records after them, and cuts a torn tail (only when writable).
    static func open(path: String, seq: UInt64, fallbackFirstNewID: UInt64, writable: Bool, now: Int64)
        throws(AlertStoreError) -> Recovery
    {
        let bytes = try StoreFile.readAll(path)
        var damaged: [DamagedRange] = []
        var firstNewID = fallbackFirstNewID
        var createdAt = now
        var headerValid = false
        if bytes.count >= headerSize, Array(bytes[0..<8]) == magic {
            var r = ByteReader(bytes, range: 8..<headerSize)
            do {
                let format = try r.u32()
                let hseq = try r.u64()
                let fnid = try r.u64()
                let created = try r.i64()
                let crc = try r.u32()
                if crc == CRC32C.checksum(bytes, 8..<36) {
                    if format > Self.format { throw AlertStoreError.newerSchema(path: path, found: Int(format), supported: Int(Self.format)) }
                    if hseq == seq {
                        headerValid = true
                        firstNewID = fnid
                        createdAt = created
                    }
                }
            } catch let e as AlertStoreError { throw e } catch {}
        }
        if !headerValid {
            damaged.append(DamagedRange(path: path, offset: 0, length: min(headerSize, bytes.count),
                                        reason: "write-ahead header unreadable"))
        }
        let segment = ActiveSegment(path: path, seq: seq, firstNewID: firstNewID, createdAt: createdAt, fd: -1,
                                    data: [])
        // Scan records.
        var offset = headerSize
        var validEnd = min(headerSize, bytes.count)
        var validRanges: [Range<Int>] = []
        while offset < bytes.count {
            if let end = validRecord(in: bytes, at: offset) {
                validRanges.append(offset..<end)
                offset = end
                validEnd = end
                continue
            }
            // Find the next valid record; without one this is a torn tail.
            var next = offset + 1
            var found: Int?
            while next + recordHeaderSize <= bytes.count {
                if bytes[next] == 0x52, bytes[next + 1] == 0x52, validRecord(in: bytes, at: next) != nil {
                    found = next
                    break
                }
                next += 1
            }
            guard let found else { break }
            damaged.append(DamagedRange(path: path, offset: offset, length: found - offset,
                                        reason: "corrupt write-ahead records (CRC mismatch)"))
            offset = found
        }
        let truncated = bytes.count - validEnd
        // Rebuild the in-memory mirror from the valid records only.
        var mirror = headerValid ? Array(bytes[0..<headerSize]) : header(seq: seq, firstNewID: firstNewID, createdAt: createdAt)
        for range in validRanges {
            let start = mirror.count
            mirror.append(contentsOf: bytes[range])
            segment.indexRecord(in: mirror, at: start)
        }
        segment.data = mirror
        if writable {
            if truncated > 0 && damaged.isEmpty {
                guard truncate(path, off_t(validEnd)) == 0 else { throw .fromErrno(path, "truncate") }
            }
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { throw .fromErrno(path, "open") }
            segment.fd = fd
            if truncated > 0 { _ = fsync(fd) }
        }
        return Recovery(segment: segment, truncatedBytes: truncated, validEnd: validEnd, damaged: damaged)
    }

    /// The end offset of the valid record at `offset`, or nil.
    private static func validRecord(in bytes: [UInt8], at offset: Int) -> Int? {
        guard offset + recordHeaderSize <= bytes.count else { return nil }
        var r = ByteReader(bytes, range: offset..<(offset + recordHeaderSize))
        guard let magic = try? r.u32(), magic == recordMagic,
              let length = try? r.u32(), Int(length) <= maxRecordBytes,
              let crc = try? r.u32() else { return nil }
        let end = offset + recordHeaderSize + Int(length)
        guard end <= bytes.count, CRC32C.checksum(bytes, (offset + recordHeaderSize)..<end) == crc else { return nil }
        guard (try? RecordIndex.decode(bytes, (offset + recordHeaderSize)..<end)) != nil else { return nil }
        return end
    }

    private func indexRecord(in bytes: [UInt8], at offset: Int) {
        let bodyStart = offset + Self.recordHeaderSize
        var r = ByteReader(bytes, range: (offset + 4)..<(offset + 8))
        guard let length = try? r.u32() else { return }
        let body = bodyStart..<(bodyStart + Int(length))
        guard let (index, payload) = try? RecordIndex.decode(bytes, body) else { return }
        latest[index.id] = entries.count
        entries.append(ActiveEntry(index: index, body: body, payload: payload))
    }

    static func frame(_ body: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: body.count + recordHeaderSize)
        w.u32(recordMagic)
        w.u32(UInt32(body.count))
        w.u32(CRC32C.checksum(body))
        w.raw(body)
        return w.bytes
    }

    /// Appends one record. On failure the file is cut back to its previous end so no partial
    /// record stays behind.
    func append(body: [UInt8], index: RecordIndex, payload: Range<Int>) throws(AlertStoreError) {
        guard fd >= 0 else { throw .closed(directory: path) }
        guard body.count <= Self.maxRecordBytes else {
            throw .encoding(path: path, detail: "alert \(index.id) encodes to \(body.count) bytes, over the record limit of \(Self.maxRecordBytes)")
        }
        let framed = Self.frame(body)
        let previousEnd = data.count
        do {
            try StoreFile.writeAll(fd, framed, path: path)
        } catch {
            _ = ftruncate(fd, off_t(previousEnd))
            throw error
        }
        let start = data.count
        data.append(contentsOf: framed)
        let bodyStart = start + Self.recordHeaderSize
        latest[index.id] = entries.count
        entries.append(ActiveEntry(index: index, body: bodyStart..<(bodyStart + body.count),
                                   payload: (bodyStart + payload.lowerBound)..<(bodyStart + payload.upperBound)))
        unsynced += 1
    }

    func sync(now: Int64) throws(AlertStoreError) {
        guard fd >= 0 else { return }
        if unsynced > 0, fdatasync(fd) != 0 { throw .fromErrno(path, "fdatasync") }
        unsynced = 0
        lastSync = now
    }

    var byteCount: Int { data.count }

    /// Per-source usage of every record in the segment (all versions).
    var usage: [String: SourceUsage] { SourceUsage.of(entries.lazy.map { ($0.index, $0.body.count) }) }

    /// Entries that hold the newest version of their id, in write order.
    var latestEntries: [ActiveEntry] {
        entries.enumerated().compactMap { latest[$0.element.index.id] == $0.offset ? $0.element : nil }
    }
}
