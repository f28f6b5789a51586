/// Byte predicates of the tokenizer. Plain comparisons, no tables: the compiler turns them
/// into a few instructions and they need no lazy global initialisation.
enum ByteClass {
    /// Whitespace and control bytes (binary junk included) separate words.
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c <= 0x20 || c == 0x7F }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isHexLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 6 }

    /// Bytes of numbers, hex, addresses, dates and times: a word made only of these and
    /// holding a digit is one value (`10.0.0.1:50010`, `[fe80::1]:443`, `2016-09-28`, `0x7fed`,
    /// `20:30:31.455`).
    @inline(__always) static func isNumeric(_ c: UInt8) -> Bool {
        if isDigit(c) || isHexLetter(c) { return true }
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "/"),
             UInt8(ascii: "+"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: ","), UInt8(ascii: "["),
             UInt8(ascii: "]"): return true
        default: return false
        }
    }

    /// Punctuation that may open a word around a value: `(10.0.0.1`, `"/tmp/x`.
    @inline(__always) static func isOpening(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "<"), UInt8(ascii: "\""),
             UInt8(ascii: "'"): return true
        default: return false
        }
    }

    /// Punctuation that may close a word around a value: `10.0.0.1),` `42.`
    @inline(__always) static func isClosing(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ">"), UInt8(ascii: "\""),
             UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "."), UInt8(ascii: ":"),
             UInt8(ascii: "!"), UInt8(ascii: "?"): return true
        default: return false
        }
    }

    /// Separators inside a word: `key=value`, `a:b`, `f(x)`, `[a,b]`, `x|y`, `obj@1f3a`.
    @inline(__always) static func isDelimiter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ";"),
             UInt8(ascii: "|"), UInt8(ascii: "@"), UInt8(ascii: "#"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: "<"), UInt8(ascii: ">"): return true
        default: return false
        }
    }

    @inline(__always) static func isQuote(_ c: UInt8) -> Bool { c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") }

    /// Digit or in-word separator: a word without any is plain text, copied as it is.
    @inline(__always) static func isDigitOrDelimiter(_ c: UInt8) -> Bool {
        if c >= 0x80 { return false }
        let word: UInt64 = c < 0x40 ? 0x7fff_138c_0000_0000 : 0x3800_0000_2800_0001
        return (word >> UInt64(c & 63)) & 1 != 0
    }

    // Flags of the lookup table the tokenizer uses on its hot path.
    static let space: UInt8 = 1
    static let digit: UInt8 = 2
    static let delimiter: UInt8 = 4
    static let numeric: UInt8 = 8
    static let opening: UInt8 = 16
    static let closing: UInt8 = 32
    static let colon: UInt8 = 64
    static let at: UInt8 = 128

    /// The flags of every byte value, from the predicates above.
    static func table() -> [UInt8] {
        (0..<256).map { (value: Int) -> UInt8 in
            let c = UInt8(value)
            var f: UInt8 = 0
            if isSpace(c) { f |= space }
            if isDigit(c) { f |= digit }
            if isDelimiter(c) { f |= delimiter }
            if isNumeric(c) { f |= numeric }
            if isOpening(c) { f |= opening }
            if isClosing(c) { f |= closing }
            if c == UInt8(ascii: ":") { f |= colon }
            if c == UInt8(ascii: "@") { f |= at }
            return f
        }
    }
}
