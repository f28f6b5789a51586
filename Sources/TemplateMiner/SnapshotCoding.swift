/// Little-endian binary writer/reader for miner snapshots. Every read is bounds-checked and
/// names what it was reading when the data runs out.
struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    mutating func u64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
}

struct SnapshotReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int, _ what: String) throws(MinerError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else {
            throw .corruptSnapshot(reason: "truncated while reading \(what) at byte \(offset)")
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8(_ what: String) throws(MinerError) -> UInt8 { try take(1, what).first! }

    mutating func u32(_ what: String) throws(MinerError) -> UInt32 {
        var v: UInt32 = 0
        for (i, b) in try take(4, what).enumerated() { v |= UInt32(b) << UInt32(8 * i) }
        return v
    }

    mutating func u64(_ what: String) throws(MinerError) -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(8, what).enumerated() { v |= UInt64(b) << UInt64(8 * i) }
        return v
    }

    mutating func f64(_ what: String) throws(MinerError) -> Double { Double(bitPattern: try u64(what)) }

    mutating func count(_ what: String, limit: Int) throws(MinerError) -> Int {
        let n = Int(try u32(what))
        guard n <= limit else { throw .corruptSnapshot(reason: "\(what) is \(n), over the limit of \(limit)") }
        return n
    }

    mutating func string(_ what: String) throws(MinerError) -> String {
        let n = try count("length of \(what)", limit: bytes.count)
        return String(decoding: try take(n, what), as: UTF8.self)
    }
}
