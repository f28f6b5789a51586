/// Words that are values without holding a digit: units written after a number
/// (`5.2 KB`, `30 ms`) and the literals `true`, `false`, `null`. Matched as lower-cased
/// bytes packed into an integer.
enum Units {
    @inline(__always)
    static func packed(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var v: UInt64 = 0
        var i = end - 1
        while i >= start {
            v = v << 8 | UInt64(b[i] | 0x20)
            i -= 1
        }
        return v
    }

    static func isUnit(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 1, length <= 4 else { return false }
        switch packed(b, start, end) {
        case 0x62, 0x626b, 0x626d, 0x6267, 0x6274, 0x6270,     // b kb mb gb tb pb
             0x62696b, 0x62696d, 0x626967, 0x626974,           // kib mib gib tib
             0x736e, 0x7375, 0x736d, 0x73, 0x636573, 0x73636573, // ns us ms s sec secs
             0x6e696d, 0x736e696d, 0x68, 0x25:                 // min mins h %
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isLiteralValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length == 4 || length == 5 else { return false }
        let first = b[start] | 0x20
        guard first == UInt8(ascii: "t") || first == UInt8(ascii: "f") || first == UInt8(ascii: "n") else { return false }
        switch packed(b, start, end) {
        case 0x65757274, 0x65736c6166, 0x6c6c756e: return true // true false null
        default: return false
        }
    }
}
