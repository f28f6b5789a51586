/// Finds the two places where the TOML parser cannot be given a document. toml++ (inside
/// TOMLKit 0.6.0) asserts, instead of reporting an error, when a table header's first key
/// starts with anything but a bare-key character or a quote (`[=]`, `[.]`, `[é]`, a `[`
/// alone on a line) and when an array holds `}` or a Unicode line separator where a value
/// belongs (`[}]`, `[1, }]`). With asserts compiled in that aborts the process; without,
/// it is undefined behaviour. Checked before parsing, so a typo in the file is an error for
/// the operator instead of a crashed daemon on start or reload.
enum TOMLPreflight {
    /// The first such place: its 1-based line and what is wrong there. A small lexer: it
    /// skips comments and strings and tracks the brackets of values, so a line starting with
    /// `[` inside a multi-line array or string is not taken for a header.
    static func problem(in text: String) -> (line: Int, message: String)? {
        var scanner = Scanner(scalars: Array(text.unicodeScalars))
        return scanner.run()
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var i = 0
        var line = 1

        mutating func run() -> (line: Int, message: String)? {
            /// The open brackets of values: `[` arrays, `{` inline tables.
            var open: [Unicode.Scalar] = []
            var atLineStart = true
            var expectArrayValue = false
            // The C string TOMLKit hands the parser ends at the first NUL.
            while i < scalars.count, scalars[i] != "\0" {
                let c = scalars[i]
                if c == "\n" {
                    line += 1
                    atLineStart = true
                    i += 1
                    continue
                }
                if c == "\r" || Self.isHorizontalSpace(c) {
                    i += 1
                    continue
                }
                if c == "#" {
                    while i < scalars.count, scalars[i] != "\n", scalars[i] != "\0" { i += 1 }
                    continue
                }
                if expectArrayValue {
                    expectArrayValue = false
                    if c == "}" || Self.isNonASCIILineBreak(c) {
                        return (line, "an array holds a value or ']' here, not \(c.escaped(asASCII: true))")
                    }
                }
                switch c {
                case "\"", "'":
                    skipString(quote: c)
                case "[" where atLineStart && open.isEmpty:
                    guard let end = headerKeyStart() else {
                        return (line, "a table header starts with a bare key (A-Za-z0-9_-) or a quoted key")
                    }
                    i = end
                case "[":
                    open.append(c)
                    expectArrayValue = true
                    i += 1
                case "{":
                    open.append(c)
                    i += 1
                case "]", "}":
                    _ = open.popLast()
                    i += 1
                case "," where open.last == "[":
                    expectArrayValue = true
                    i += 1
                default:
                    i += 1
                }
                atLineStart = false
            }
            return nil
        }

        /// At a header's `[`: where its first key starts, or nil when the parser would assert
        /// on what is there. Cases the parser reports itself count as safe.
        private func headerKeyStart() -> Int? {
            var j = i + 1
            var hadSpace = false
            skipSpaces(&j, &hadSpace)
            if j < scalars.count, scalars[j] == "[" {
                // `[ [` is reported by the parser; `[[` opens an array-of-tables header.
                if hadSpace { return j }
                j += 1
                skipSpaces(&j, &hadSpace)
            }
            guard j < scalars.count, scalars[j] != "\0" else { return j }
            let c = scalars[j]
            return Self.isBareKey(c) || c == "\"" || c == "'" || c == "]" ? j : nil
        }

        private func skipSpaces(_ j: inout Int, _ hadSpace: inout Bool) {
            while j < scalars.count, Self.isHorizontalSpace(scalars[j]) {
                j += 1
                hadSpace = true
            }
        }

        /// Moves past a string starting at `i`: basic or literal, single- or multi-line.
        private mutating func skipString(quote: Unicode.Scalar) {
            let multiLine = i + 2 < scalars.count && scalars[i + 1] == quote && scalars[i + 2] == quote
            i += multiLine ? 3 : 1
            while i < scalars.count, scalars[i] != "\0" {
                let c = scalars[i]
                if c == "\\", quote == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\n" { line += 1 }
                    i += 2
                    continue
                }
                if c == "\n" {
                    // A single-line string ends at the line's end (unterminated: a parse error).
                    guard multiLine else { return }
                    line += 1
                }
                if c == quote {
                    if !multiLine {
                        i += 1
                        return
                    }
                    if i + 2 < scalars.count, scalars[i + 1] == quote, scalars[i + 2] == quote {
                        i += 3
                        // Up to two more quotes belong to the content before the closing three.
                        var extra = 0
                        while extra < 2, i < scalars.count, scalars[i] == quote {
                            i += 1
                            extra += 1
                        }
                        return
                    }
                }
                i += 1
            }
        }

        private static func isBareKey(_ c: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(c) || ("a"..."z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }

        /// The whitespace the parser skips between tokens: space, tab and Unicode's
        /// horizontal spaces.
        private static func isHorizontalSpace(_ c: Unicode.Scalar) -> Bool {
            switch c.value {
            case 0x20, 0x09, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x202F, 0x205F...0x2060, 0x3000, 0xFEFF: true
            default: false
            }
        }

        /// Line breaks the parser does not skip between array values.
        private static func isNonASCIILineBreak(_ c: Unicode.Scalar) -> Bool {
            c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029
        }
    }
}
