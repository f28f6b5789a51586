/// Where the tokenizer writes one line: raw pointers into `TokenizedLine`'s buffers, valid
/// for one `tokenize` call, with the counts so far.
struct LineWriter {
    let tokens: UnsafeMutablePointer<Token>
    let params: UnsafeMutablePointer<ParamSpan>
    let masked: UnsafeMutablePointer<UInt8>
    /// `ByteClass` flags by byte value.
    let classes: UnsafePointer<UInt8>
    var count = 0
    var paramCount = 0
    var maskedCount = 0

    @inline(__always)
    mutating func param(_ start: Int, _ end: Int) {
        masked[maskedCount] = UInt8(ascii: "<")
        masked[maskedCount + 1] = UInt8(ascii: "*")
        masked[maskedCount + 2] = UInt8(ascii: ">")
        maskedCount += 3
        params[paramCount] = ParamSpan(start: Int32(truncatingIfNeeded: start), end: Int32(truncatingIfNeeded: end),
                                       token: Int32(truncatingIfNeeded: count))
        paramCount += 1
    }

    @inline(__always)
    mutating func literal(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        let n = end - start
        if n <= 0 { return }
        (masked + maskedCount).update(from: b.baseAddress! + start, count: n)
        maskedCount += n
    }

    @inline(__always)
    mutating func byte(_ c: UInt8) {
        masked[maskedCount] = c
        maskedCount += 1
    }
}
