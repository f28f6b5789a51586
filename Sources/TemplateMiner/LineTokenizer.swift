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
    /// Lower-cased `MinerConfiguration.valueKeys`, back to back, with their ranges, and a
    /// bit per key length and per first letter for a quick refusal.
    var valueKeyBytes: [UInt8] = []
    var valueKeyRanges: [Range<Int>] = []
    var valueKeyLengths: UInt64 = 0
    /// A bit per first byte (lower-cased, modulo 64) of the keys.
    var valueKeyInitials: UInt64 = 0
    /// `ByteClass` flags of every byte value.
    let classes: [UInt8] = ByteClass.table()

    init(configuration: MinerConfiguration) {
        maxTokens = configuration.maxTokens
        for key in configuration.valueKeys {
            let bytes = Array(key.lowercased().utf8)
            guard !bytes.isEmpty, bytes.count < 64 else { continue }
            valueKeyRanges.append(valueKeyBytes.count..<valueKeyBytes.count + bytes.count)
            valueKeyBytes += bytes
            valueKeyLengths |= 1 << UInt64(bytes.count)
            valueKeyInitials |= 1 << UInt64(bytes[0] & 63)
        }
        extraMasks = ExtraMaskMatcher(configuration.extraMasks)
    }

    func tokenize(_ b: UnsafeBufferPointer<UInt8>, into line: inout TokenizedLine) {
        line.prepare(length: b.count, maxTokens: maxTokens)
        var truncated = false
        let (count, paramCount) = line.tokens.withUnsafeMutableBufferPointer { tokens in
            line.params.withUnsafeMutableBufferPointer { params in
                line.masked.withUnsafeMutableBufferPointer { masked in
                    classes.withUnsafeBufferPointer { classes in
                        var w = LineWriter(tokens: tokens.baseAddress!, params: params.baseAddress!,
                                           masked: masked.baseAddress!, classes: classes.baseAddress!)
                        truncated = split(b, into: &w)
                        return (w.count, w.paramCount)
                    }
                }
            }
        }
        line.count = count
        line.paramCount = paramCount
        line.truncated = truncated
        var seq = UInt64(truncatingIfNeeded: count) &+ 0x51_7cc1_b727_220a
        line.tokens.withUnsafeBufferPointer { tokens in
            for i in 0..<count { seq = TokenHash.combine(seq, tokens[i].hash) }
        }
        line.sequenceHash = TokenHash.finalize(seq)
    }

    /// Cuts the line into words; returns true when words beyond `maxTokens` were folded.
    private func split(_ b: UnsafeBufferPointer<UInt8>, into w: inout LineWriter) -> Bool {
        let t = w.classes
        let n = b.count
        var i = 0
        var previousStart = 0
        var previousEnd = 0
        while i < n {
            while i < n && t[Int(b[i])] & ByteClass.space != 0 { i += 1 }
            if i >= n { break }
            let (end, any, all) = Self.scanWord(b, i, t)
            var next = end
            while next < n && t[Int(b[next])] & ByteClass.space != 0 { next += 1 }
            if w.count == maxTokens - 1 && next < n {
                var last = n
                while last > i && t[Int(b[last - 1])] & ByteClass.space != 0 { last -= 1 }
                addToken(b, i, last, valueEnd: last, any: 0, all: 0, into: &w)
                return true
            }
            var valueEnd = -1
            if (previousEnd > previousStart && isValueKey(b, previousStart, previousEnd))
                || (b[i] &- 0x41 < 26 && DateWords.isDateWord(b, i, end, next: next, n: n)) {
                valueEnd = end
            } else if w.count > 0 && end - i <= 5 && Self.endsWithValue(w, paramsBefore: w.paramCount) {
                // A unit after a number belongs to it: `5.2 KB,` -> one value and `,`;
                // `(3 MB)` -> `(<*>)` whatever the unit.
                var coreEnd = end
                while coreEnd > i && t[Int(b[coreEnd - 1])] & ByteClass.closing != 0 { coreEnd -= 1 }
                if Units.isUnit(b, i, coreEnd) { valueEnd = coreEnd }
            }
            addToken(b, i, end, valueEnd: valueEnd, any: any, all: all, into: &w)
            previousStart = i
            previousEnd = end
            i = next
        }
        return false
    }

    /// The end of the word starting at `start`, and the `ByteClass` flags that some / every
    /// byte of it has. Kept apart from `split` so that its loop keeps everything in registers.
    @inline(never)
    static func scanWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ t: UnsafePointer<UInt8>) -> (Int, UInt8, UInt8) {
        let n = b.count
        var end = start
        var any: UInt8 = 0
        var all: UInt8 = 0xFF
        while end < n {
            let c = b[end]
            let f = t[Int(c)]
            if f & (ByteClass.space | ByteClass.delimiter) != 0 {
                if f & ByteClass.space != 0 { break }
                // `key="quoted value"` is one word even with spaces inside the quotes.
                if ByteClass.isQuote(c) && end > start && b[end - 1] == UInt8(ascii: "=") {
                    var close = end + 1
                    while close < n && b[close] != c && close - end < 1024 { close += 1 }
                    if close < n && b[close] == c {
                        any |= ByteClass.delimiter
                        all = 0
                        end = close + 1
                        continue
                    }
                }
            }
            any |= f
            all &= f
            end += 1
        }
        return (end, any, all)
    }

    /// Whether the word is one of `valueKeys` (ASCII case-insensitive): the word after it is a value.
    @inline(__always)
    private func isValueKey(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        guard valueKeyInitials & (1 << UInt64((b[start] | 0x20) & 63)) != 0,
              length < 64, valueKeyLengths & (1 << UInt64(length)) != 0 else { return false }
        return valueKeyBytes.withUnsafeBufferPointer { keys in
            valueKeyRanges.withUnsafeBufferPointer { ranges in
                for range in ranges where range.count == length {
                    var i = 0
                    while i < length && (b[start + i] | 0x20) == keys[range.lowerBound + i] { i += 1 }
                    if i == length { return true }
                }
                return false
            }
        }
    }

    /// Masks one word and appends it as a token. `valueEnd >= 0` makes `start..<valueEnd`
    /// a value without looking inside. `any` / `all` are the `ByteClass` flags that some /
    /// every byte of the word has. A token that starts with a value right after a token
    /// that is only a value joins it: consecutive values (`Fri Jul  1 07:57:30 2005`, id
    /// lists, `5.2 KB`) are one parameter.
    @inline(__always)
    private func addToken(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, valueEnd: Int,
                          any: UInt8, all: UInt8, into w: inout LineWriter) {
        if valueEnd < 0 && any & (ByteClass.digit | ByteClass.delimiter) == 0 && extraMasks.isEmpty
            && !Self.startsLikePath(b[start]) && !Units.isLiteralValue(b, start, end) && !Self.mayBeHostName(b, start, end) {
            // Plain text (most words): its own bytes are its masked text.
            w.tokens[w.count] = Token(hash: TokenHash.hash(b, start, end),
                                      wordStart: Int32(truncatingIfNeeded: start), wordEnd: Int32(truncatingIfNeeded: end),
                                      maskedStart: Int32(truncatingIfNeeded: start), maskedEnd: Int32(truncatingIfNeeded: end),
                                      hasMask: false)
            w.count += 1
            return
        }
        let maskedStart = w.maskedCount
        let paramsBefore = w.paramCount
        if valueEnd >= 0 {
            w.param(start, valueEnd)
            w.literal(b, valueEnd, end)
        } else if matchesExtraMask(b, start, end) {
            w.param(start, end)
        } else if end - start == 2 && Self.isEmptyBracketPair(b[start], b[end - 1]) {
            // A standalone `()` / `[]` / `{}` stands for an absent value.
            w.byte(b[start])
            w.param(start + 1, start + 1)
            w.byte(b[start + 1])
        } else {
            maskWord(b, start, end, any: any, all: all, into: &w)
        }
        let maskedEnd = w.maskedCount
        let count = w.count
        let masked = UnsafeBufferPointer(start: w.masked, count: maskedEnd)
        if count > 0 && w.paramCount > paramsBefore && Int(w.params[paramsBefore].start) == start && Self.endsWithValue(w, paramsBefore: paramsBefore) {
            // Join: drop this token's leading `<*>`, extend the previous token's last value to it.
            let joinedStart = Int(w.tokens[count - 1].maskedStart)
            var k = maskedStart
            while k + 3 < maskedEnd {
                w.masked[k] = w.masked[k + 3]
                k += 1
            }
            w.maskedCount = maskedEnd - 3
            let previous = paramsBefore - 1
            let previousStart = w.params[previous].start
            var p = previous
            while p + 1 < w.paramCount {
                w.params[p] = w.params[p + 1]
                w.params[p].token = Int32(truncatingIfNeeded: count - 1)
                p += 1
            }
            w.paramCount -= 1
            w.params[previous].start = previousStart
            w.tokens[count - 1].hash = TokenHash.hash(masked, joinedStart, maskedEnd - 3)
            w.tokens[count - 1].wordEnd = Int32(truncatingIfNeeded: end)
            w.tokens[count - 1].maskedEnd = Int32(truncatingIfNeeded: maskedEnd - 3)
            return
        }
        let hasMask = w.paramCount != paramsBefore
        w.tokens[count] = Token(hash: hasMask ? TokenHash.hash(masked, maskedStart, maskedEnd) : TokenHash.hash(b, start, end),
                                wordStart: Int32(truncatingIfNeeded: start), wordEnd: Int32(truncatingIfNeeded: end),
                                maskedStart: Int32(truncatingIfNeeded: hasMask ? maskedStart : start),
                                maskedEnd: Int32(truncatingIfNeeded: hasMask ? maskedEnd : end), hasMask: hasMask)
        if !hasMask { w.maskedCount = maskedStart }
        w.count += 1
    }

    /// Whether the previous token ends in a value (`(12` of `(12 KB)`), so a unit may follow.
    @inline(__always)
    static func endsWithValue(_ w: LineWriter, paramsBefore: Int) -> Bool {
        let previous = w.tokens[w.count - 1]
        if previous.hash == TokenHash.wildcard { return true }
        guard previous.hasMask, paramsBefore > 0 else { return false }
        let last = w.params[paramsBefore - 1]
        return Int(last.token) == w.count - 1 && last.end == previous.wordEnd
    }

    /// A dot among the last dozen bytes of a plain word: it may end in a top-level domain.
    @inline(__always)
    static func mayBeHostName(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var i = end - 3
        let stop = max(start, end - 12)
        while i > stop {
            if b[i] == UInt8(ascii: ".") { return true }
            i -= 1
        }
        return false
    }

    @inline(__always)
    static func startsLikePath(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "/") || c == UInt8(ascii: ".") || c == UInt8(ascii: "~")
    }

    @inline(__always)
    static func isEmptyBracketPair(_ open: UInt8, _ close: UInt8) -> Bool {
        (open == UInt8(ascii: "(") && close == UInt8(ascii: ")")) || (open == UInt8(ascii: "[") && close == UInt8(ascii: "]"))
            || (open == UInt8(ascii: "{") && close == UInt8(ascii: "}"))
    }

    private func matchesExtraMask(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        if extraMasks.isEmpty { return false }
        return extraMasks.matches(String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self))
    }

    private func maskWord(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, any: UInt8, all: UInt8,
                          into w: inout LineWriter) {
        let t = w.classes
        var s = start
        var e = end
        while s < e && t[Int(b[s])] & ByteClass.opening != 0 { s += 1 }
        while e > s && t[Int(b[e - 1])] & ByteClass.closing != 0 { e -= 1 }
        if s < e {
            let numeric: Bool
            if all & ByteClass.numeric != 0 {
                numeric = any & ByteClass.digit != 0 && Self.hasDigit(b, s, e)
            } else if s != start || e != end {
                numeric = Self.isNumericValue(b, s, e)
            } else {
                numeric = false
            }
            var value = s
            if numeric {
                // Keep a leading slash before an address (`/10.0.0.1:50010` -> `/<*>`).
                if b[s] == UInt8(ascii: "/") && e - s > 1 && Self.isNumericValue(b, s + 1, e)
                    && !Self.contains(b, s + 1, e, UInt8(ascii: "/")) {
                    value = s + 1
                }
            } else if !(Self.isPath(b, s, e) || (any & ByteClass.colon != 0 && Self.isURL(b, s, e))
                        || (any & ByteClass.at != 0 && Self.isEmail(b, s, e))
                        || HostNames.isQualifiedName(b, s, e)
                        || (any & ByteClass.colon != 0 && HostNames.isHostPort(b, s, e))) {
                value = -1
            }
            if value >= 0 {
                w.literal(b, start, value)
                w.param(value, e)
                w.literal(b, e, end)
                return
            }
        }
        if any & ByteClass.delimiter == 0 {
            // One piece: an id such as `blk_-160899` or a plain word.
            emitSegment(b, start, end, digit: any & ByteClass.digit != 0, afterEquals: false, into: &w)
            return
        }
        var segment = start
        var digit = false
        var afterEquals = false
        var i = start
        while i < end {
            let c = b[i]
            let f = t[Int(c)]
            if f & ByteClass.delimiter != 0 {
                emitSegment(b, segment, i, digit: digit, afterEquals: afterEquals, into: &w)
                w.byte(c)
                // `key="value"`: the value is inside the quotes.
                afterEquals = c == UInt8(ascii: "=") || (afterEquals && segment == i && ByteClass.isQuote(c))
                segment = i + 1
                digit = false
            } else if f & ByteClass.digit != 0 {
                digit = true
            }
            i += 1
        }
        emitSegment(b, segment, end, digit: digit, afterEquals: afterEquals, into: &w)
    }

    @inline(__always)
    private func emitSegment(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, digit: Bool, afterEquals: Bool,
                             into w: inout LineWriter) {
        if start >= end { return }
        if afterEquals || digit || Units.isLiteralValue(b, start, end) {
            w.param(start, end)
        } else {
            w.literal(b, start, end)
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
