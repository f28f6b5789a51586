/// Words that are values without holding a digit: units written after a number
/// (`5.2 KB`, `30 ms`) and the literals `true`, `false`, `null`.
enum Units {
    private static let units: [[UInt8]] = ["b", "kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "tib",
                                           "ns", "us", "ms", "s", "sec", "secs", "min", "mins", "h", "%"]
        .map { Array($0.utf8) }
    private static let literals: [[UInt8]] = ["true", "false", "null"].map { Array($0.utf8) }

    static func isUnit(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        matches(units, b, start, end)
    }

    @inline(__always)
    static func isLiteralValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length == 4 || length == 5 else { return false }
        return matches(literals, b, start, end)
    }

    @inline(__always)
    private static func matches(_ words: [[UInt8]], _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard length > 0, length <= 4 || words.count == 3 else { return false }
        for word in words where word.count == length {
            var i = 0
            while i < length && (b[start + i] | 0x20) == word[i] { i += 1 }
            if i == length { return true }
        }
        return false
    }
}
