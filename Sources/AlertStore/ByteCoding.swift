/// Little-endian binary writer for record headers, segment headers and footers.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func raw(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }
    /// A string of at most 65,535 UTF-8 bytes (longer ones are cut at a byte boundary).
    mutating func string16(_ s: String) {
        let utf8 = Array(s.utf8.prefix(Int(UInt16.max)))
        u16(UInt16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func patchU32(at offset: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

/// Reading past the end of a buffer: the bytes are truncated or corrupt.
struct ByteUnderflow: Error {}

/// Bounds-checked little-endian reader over a byte array range.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.offset = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws(ByteUnderflow) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= end else { throw ByteUnderflow() }
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        offset += size
        return T(littleEndian: v)
    }

    mutating func u8() throws(ByteUnderflow) -> UInt8 { try load(UInt8.self) }
    mutating func u16() throws(ByteUnderflow) -> UInt16 { try load(UInt16.self) }
    mutating func u32() throws(ByteUnderflow) -> UInt32 { try load(UInt32.self) }
    mutating func u64() throws(ByteUnderflow) -> UInt64 { try load(UInt64.self) }
    mutating func i64() throws(ByteUnderflow) -> Int64 { Int64(bitPattern: try load(UInt64.self)) }
    mutating func f64() throws(ByteUnderflow) -> Double { Double(bitPattern: try load(UInt64.self)) }

    mutating func range(_ count: Int) throws(ByteUnderflow) -> Range<Int> {
        guard count >= 0, offset + count <= end else { throw ByteUnderflow() }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func string16() throws(ByteUnderflow) -> String {
        let n = Int(try u16())
        let r = try range(n)
        return String(decoding: bytes[r], as: UTF8.self)
    }
}
