import RationCore

/// The indexed fields of one stored alert version, written in binary ahead of its JSON
/// payload so queries filter on them without decoding the payload.
///
/// Body layout (little-endian): kind u8 (1) · id u64 · firstSeen i64 · lastSeen i64 ·
/// priority u8 (255 none) · verdict u8 · label u8 · flags u8 · score f64 · source str16 ·
/// unit count u16 · units str16… · payload length u32 · payload (`AlertBinaryCodec`).
struct RecordIndex: Sendable, Hashable {
    var id: UInt64
    var firstSeen: Int64
    var lastSeen: Int64
    /// Most severe priority raw value; 255 when none.
    var priority: UInt8
    /// 0 none, 1 normal, 2 abnormal.
    var verdict: UInt8
    var label: UInt8
    /// Bit 0: the verdict is an operator override (`flagOperatorVerdict`). Readers that predate
    /// the flags read this byte as reserved and ignore it.
    var flags: UInt8
    var score: Double
    var source: String
    var units: [String]

    static let kindAlert: UInt8 = 1
    static let noPriority: UInt8 = 255
    static let flagOperatorVerdict: UInt8 = 1

    /// Kept by the ring's protected share (see `StoreQuota`): an abnormal verdict (trusted or
    /// not), an operator label on the alert, or a verdict an operator's template label set.
    var isProtected: Bool {
        verdict == Self.code(.abnormal) || label != Self.code(nil) || flags & Self.flagOperatorVerdict != 0
    }

    static func code(_ label: Verdict.Label?) -> UInt8 {
        switch label {
        case nil: 0
        case .normal: 1
        case .abnormal: 2
        }
    }

    init(_ stored: StoredAlert) {
        let a = stored.alert
        id = a.id.rawValue
        firstSeen = a.firstSeen.microsecondsSinceEpoch
        lastSeen = a.lastSeen.microsecondsSinceEpoch
        priority = stored.priority.map { UInt8($0.rawValue) } ?? Self.noPriority
        verdict = Self.code(a.verdict.label)
        label = Self.code(a.operatorLabel?.label)
        flags = a.verdict.status == .operatorOverride ? Self.flagOperatorVerdict : 0
        score = a.suspicion.score
        source = a.window.source.rawValue
        units = stored.units
    }

    /// Encodes the record body: this index followed by the JSON payload.
    static func encodeBody(_ stored: StoredAlert) -> (index: RecordIndex, body: [UInt8], payload: Range<Int>) {
        let index = RecordIndex(stored)
        var w = ByteWriter(capacity: 4096)
        w.u8(kindAlert)
        w.u64(index.id)
        w.i64(index.firstSeen)
        w.i64(index.lastSeen)
        w.u8(index.priority)
        w.u8(index.verdict)
        w.u8(index.label)
        w.u8(index.flags)
        w.f64(index.score)
        w.string16(index.source)
        w.u16(UInt16(min(index.units.count, Int(UInt16.max))))
        for u in index.units.prefix(Int(UInt16.max)) { w.string16(u) }
        let lengthOffset = w.bytes.count
        w.u32(0)
        let payloadStart = w.bytes.count
        AlertBinaryCodec.encode(stored, into: &w)
        w.patchU32(at: lengthOffset, UInt32(w.bytes.count - payloadStart))
        return (index, w.bytes, payloadStart..<w.bytes.count)
    }

    /// Decodes the index of a body in `bytes[range]`; returns it with the payload's range.
    static func decode(_ bytes: [UInt8], _ range: Range<Int>) throws(ByteUnderflow) -> (RecordIndex, Range<Int>) {
        var r = ByteReader(bytes, range: range)
        guard try r.u8() == kindAlert else { throw ByteUnderflow() }
        let id = try r.u64()
        let first = try r.i64()
        let last = try r.i64()
        let priority = try r.u8()
        let verdict = try r.u8()
        let label = try r.u8()
        let flags = try r.u8()
        let score = try r.f64()
        let source = try r.string16()
        let n = Int(try r.u16())
        var units: [String] = []
        units.reserveCapacity(n)
        for _ in 0..<n { units.append(try r.string16()) }
        let payloadLength = Int(try r.u32())
        let payload = try r.range(payloadLength)
        guard r.remaining == 0 else { throw ByteUnderflow() }
        return (RecordIndex(id: id, firstSeen: first, lastSeen: last, priority: priority, verdict: verdict,
                            label: label, flags: flags, score: score, source: source, units: units), payload)
    }

    private init(id: UInt64, firstSeen: Int64, lastSeen: Int64, priority: UInt8, verdict: UInt8, label: UInt8,
                 flags: UInt8, score: Double, source: String, units: [String]) {
        self.id = id
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.priority = priority
        self.verdict = verdict
        self.label = label
        self.flags = flags
        self.score = score
        self.source = source
        self.units = units
    }
}
