/// Splits a line into whitespace-separated words and masks the values inside each word,
/// byte by byte (no regular expression on the hot path). What is masked, in this order:
/// - operator masks (`MinerConfiguration.extraMasks`), whole words;
/// - numeric words: digits with hex letters and `. : - _ / + x ,` (IPv4/IPv6 with ports,
///   hex, dates, times, durations, versions), inside optional brackets or quotes;
/// - URLs (`scheme://…`), paths (`/…`, `./…`, `~/…`, `C:\…`), e-mail addresses;
/// - otherwise the word is cut at `= : , ( ) [ ] { } ; | @ # " ' < >`, and each piece that
///   holds a digit (ids, numbers with units, UUIDs) or follows `=` (key=value values) is a
///   parameter, while the separators stay literal: `(HWID=1973)` -> `(HWID=<*>)`.
struct LineTokenizer: Sendable {
    var maxTokens: Int
    var extraMasks: ExtraMaskMatcher

    init(configuration: MinerConfiguration) {
        maxTokens = configuration.maxTokens
        extraMasks = ExtraMaskMatcher(configuration.extraMasks)
    }

    func tokenize(_ b: UnsafeBufferPointer<UInt8>, into line: inout TokenizedLine) {
        line.reset()
        let n = b.count
        var i = 0
        while i < n {
            while i < n && ByteClass.isSpace(b[i]) { i += 1 }
            if i >= n { break }
            var end = i
            while end < n && !ByteClass.isSpace(b[end]) { end += 1 }
            if line.count == maxTokens - 1 {
                var rest = end
                while rest < n && ByteClass.isSpace(b[rest]) { rest += 1 }
                if rest < n {
                    var last = n
                    while last > i && ByteClass.isSpace(b[last - 1]) { last -= 1 }
                    addToken(b, i, last, wholeValue: true, into: &line)
                    line.truncated = true
                    break
                }
            }
            addToken(b, i, end, wholeValue: false, into: &line)
            i = end
        }
        var seq = UInt64(truncatingIfNeeded: line.count) &+ 0x51_7cc1_b727_220a
        for h in line.hashes { seq = TokenHash.combine(seq, h) }
        line.sequenceHash = seq
    }

    @inline(__always)
    private func addToken(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, wholeValue: Bool,
                          into line: inout TokenizedLine) {
        let maskedStart = line.masked.count
        let paramsBefore = line.paramStart.count
        if wholeValue || matchesExtraMask(b, start, end) {
            emitParam(start, end, token: line.count, into: &line)
        } else {
            maskWord(b, start, end, into: &line)
        }
        let maskedEnd = line.masked.count
        let hash = line.masked.withUnsafeBufferPointer { TokenHash.hash($0, maskedStart, maskedEnd) }
        line.hashes.append(hash)
        line.hasMask.append(line.paramStart.count != paramsBefore)
        line.wordStart.append(Int32(truncatingIfNeeded: start))
        line.wordEnd.append(Int32(truncatingIfNeeded: end))
        line.maskedStart.append(Int32(truncatingIfNeeded: maskedStart))
        line.maskedEnd.append(Int32(truncatingIfNeeded: maskedEnd))
        line.count += 1
    }

    private func matchesExtraMask(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        if extraMasks.isEmpty { return false }
        return extraMasks.matches(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }

    @inline(__always)
    private func emitParam(_ start: Int, _ end: Int, token: Int, into line: inout TokenizedLine) {
        line.masked.append(UInt8(ascii: "<"))
        line.masked.append(UInt8(ascii: "*"))
        line.masked.append(UInt8(ascii: ">"))
        line.paramStart.append(Int32(truncatingIfNeeded: start))
        line.paramEnd.append(Int32(truncatingIfNeeded: end))
        line.paramToken.append(Int32(truncatingIfNeeded: token))
    }

    @inline(__always)
    private func emitLiteral(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into line: inout TokenizedLine) {
        if start < end { line.masked.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<end])) }
    }

    private func maskWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into line: inout TokenizedLine) {
        let token = line.count
        var s = start
        var e = end
        while s < e && ByteClass.isOpening(b[s]) { s += 1 }
        while e > s && ByteClass.isClosing(b[e - 1]) { e -= 1 }
        if s < e {
            var value = s
            if Self.isNumericValue(b, s, e) {
                // Keep a leading slash before an address (`/10.0.0.1:50010` -> `/<*>`).
                if b[s] == UInt8(ascii: "/") && e - s > 1 && Self.isNumericValue(b, s + 1, e)
                    && !Self.contains(b, s + 1, e, UInt8(ascii: "/")) {
                    value = s + 1
                }
            } else if !(Self.isURL(b, s, e) || Self.isPath(b, s, e) || Self.isEmail(b, s, e)) {
                value = -1
            }
            if value >= 0 {
                emitLiteral(b, start, value, into: &line)
                emitParam(value, e, token: token, into: &line)
                emitLiteral(b, e, end, into: &line)
                return
            }
        }
        var segment = start
        var afterEquals = false
        var i = start
        while i < end {
            let c = b[i]
            if ByteClass.isDelimiter(c) {
                emitSegment(b, segment, i, afterEquals: afterEquals, token: token, into: &line)
                line.masked.append(c)
                afterEquals = c == UInt8(ascii: "=")
                segment = i + 1
            }
            i += 1
        }
        emitSegment(b, segment, end, afterEquals: afterEquals, token: token, into: &line)
    }

    @inline(__always)
    private func emitSegment(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, afterEquals: Bool,
                             token: Int, into line: inout TokenizedLine) {
        if start >= end { return }
        if afterEquals || Self.hasDigit(b, start, end) {
            emitParam(start, end, token: token, into: &line)
        } else {
            emitLiteral(b, start, end, into: &line)
        }
    }

    @inline(__always)
    static func hasDigit(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i < end {
            if ByteClass.isDigit(b[i]) { return true }
            i += 1
        }
        return false
    }

    @inline(__always)
    static func contains(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ c: UInt8) -> Bool {
        var i = start
        while i < end {
            if b[i] == c { return true }
            i += 1
        }
        return false
    }

    /// Only numeric bytes, and at least one digit.
    static func isNumericValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var digit = false
        var i = start
        while i < end {
            let c = b[i]
            if !ByteClass.isNumeric(c) { return false }
            if ByteClass.isDigit(c) { digit = true }
            i += 1
        }
        return digit
    }

    /// `scheme://…`
    static func isURL(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = start
        while i + 2 < end {
            let c = b[i]
            if c == UInt8(ascii: ":") {
                return i > start && b[i + 1] == UInt8(ascii: "/") && b[i + 2] == UInt8(ascii: "/")
            }
            if !(ByteClass.isLetter(c) || ByteClass.isDigit(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
                 || c == UInt8(ascii: ".")) { return false }
            i += 1
        }
        return false
    }

    /// `/a…`, `./…`, `../…`, `~/…`, `C:\…`
    static func isPath(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        let slash = UInt8(ascii: "/")
        if length >= 2 && b[start] == slash && b[start + 1] != slash { return true }
        if length >= 3 && b[start] == UInt8(ascii: ".") && b[start + 1] == slash { return true }
        if length >= 4 && b[start] == UInt8(ascii: ".") && b[start + 1] == UInt8(ascii: ".") && b[start + 2] == slash { return true }
        if length >= 3 && b[start] == UInt8(ascii: "~") && b[start + 1] == slash { return true }
        if length >= 4 && ByteClass.isLetter(b[start]) && b[start + 1] == UInt8(ascii: ":")
            && b[start + 2] == UInt8(ascii: "\\") { return true }
        return false
    }

    /// `local@host.domain`
    static func isEmail(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var at = -1
        var i = start
        while i < end {
            let c = b[i]
            if c == UInt8(ascii: "@") {
                if at >= 0 { return false }
                at = i
            } else if !(ByteClass.isLetter(c) || ByteClass.isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
                        || c == UInt8(ascii: "_") || c == UInt8(ascii: "+") || c == UInt8(ascii: "%")) {
                return false
            }
            i += 1
        }
        guard at > start, at + 3 < end else { return false }
        var dot = -1
        i = at + 1
        while i < end {
            if b[i] == UInt8(ascii: ".") { dot = i }
            i += 1
        }
        return dot > at + 1 && dot + 2 <= end - 1 && ByteClass.isLetter(b[end - 1])
    }
}
