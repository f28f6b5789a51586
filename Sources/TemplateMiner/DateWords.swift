/// Month and weekday names written out in timestamps (`Fri Jul  1 07:57:30 2005`): a month
/// name followed by a number, or a weekday name followed by a month name, is a value.
/// Matched on the first three letters packed into an integer, then the full name.
enum DateWords {
    static func isDateWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, next: Int, n: Int) -> Bool {
        let length = end - start
        guard length >= 3, length <= 9, next < n, b[start] &- 0x41 < 26 else { return false }
        if isMonth(b, start, end) { return ByteClass.isDigit(b[next]) }
        if isWeekday(b, start, end) {
            var nextEnd = next
            while nextEnd < n && !ByteClass.isSpace(b[nextEnd]) { nextEnd += 1 }
            return isMonth(b, next, nextEnd)
        }
        return false
    }

    @inline(__always)
    static func packed3(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt32 {
        UInt32(b[start] | 0x20) | UInt32(b[start + 1] | 0x20) << 8 | UInt32(b[start + 2] | 0x20) << 16
    }

    static func isMonth(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 3, length <= 9 else { return false }
        let full: StaticString
        switch packed3(b, start) {
        case 0x6e616a: full = "january"
        case 0x626566: full = "february"
        case 0x72616d: full = "march"
        case 0x727061: full = "april"
        case 0x79616d: full = "may"
        case 0x6e756a: full = "june"
        case 0x6c756a: full = "july"
        case 0x677561: full = "august"
        case 0x706573: full = "september"
        case 0x74636f: full = "october"
        case 0x766f6e: full = "november"
        case 0x636564: full = "december"
        default: return false
        }
        return length == 3 || equalsLowercased(b, start, end, full)
    }

    static func isWeekday(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length >= 3, length <= 9 else { return false }
        let full: StaticString
        switch packed3(b, start) {
        case 0x6e6f6d: full = "monday"
        case 0x657574: full = "tuesday"
        case 0x646577: full = "wednesday"
        case 0x756874: full = "thursday"
        case 0x697266: full = "friday"
        case 0x746173: full = "saturday"
        case 0x6e7573: full = "sunday"
        default: return false
        }
        return length == 3 || equalsLowercased(b, start, end, full)
    }

    @inline(__always)
    static func equalsLowercased(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { w in
            guard w.count == end - start else { return false }
            for i in 0..<w.count where b[start + i] | 0x20 != w[i] { return false }
            return true
        }
    }
}
