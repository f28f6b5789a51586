/// Finds table headers that the TOML parser cannot be given. toml++ (inside TOMLKit 0.6.0)
/// asserts that a header's first key starts with a bare-key character or a quote; anything
/// else (`[=]`, `[.]`, `[é]`, `[` alone on a line) aborts the process with asserts compiled
/// in and is undefined behaviour without. Checked before parsing, so a typo in the file is
/// an error for the operator instead of a crashed daemon on start or reload.
enum TableHeaderCheck {
    /// The 1-based line of the first such header, or nil. A small lexer: it skips comments
    /// and strings and tracks the brackets of values, so a line starting with `[` inside a
    /// multi-line array or string is not taken for a header.
    static func unsafeHeaderLine(in text: String) -> Int? {
        var scanner = Scanner(bytes: Array(text.utf8))
        return scanner.run()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1

        mutating func run() -> Int? {
            var depth = 0
            var atLineStart = true
            // The C string TOMLKit hands the parser ends at the first NUL.
            while i < bytes.count, bytes[i] != 0 {
                let b = bytes[i]
                switch b {
                case ascii("\n"):
                    line += 1
                    atLineStart = true
                    i += 1
                    continue
                case ascii(" "), ascii("\t"), ascii("\r"):
                    i += 1
                    continue
                case ascii("#"):
                    while i < bytes.count, bytes[i] != ascii("\n"), bytes[i] != 0 { i += 1 }
                    continue
                case ascii("\""), ascii("'"):
                    skipString(quote: b)
                case ascii("[") where atLineStart && depth == 0:
                    if !headerIsSafe() { return line }
                    i += 1
                case ascii("["), ascii("{"):
                    depth += 1
                    i += 1
                case ascii("]"), ascii("}"):
                    depth = max(0, depth - 1)
                    i += 1
                default:
                    i += 1
                }
                atLineStart = false
            }
            return nil
        }

        /// At a header's `[`: whether what follows is something the parser checks itself.
        private func headerIsSafe() -> Bool {
            var j = i + 1
            var hadSpace = false
            skipSpaces(&j, &hadSpace)
            if j < bytes.count, bytes[j] == ascii("[") {
                // `[ [` is reported by the parser; `[[` opens an array-of-tables header.
                if hadSpace { return true }
                j += 1
                skipSpaces(&j, &hadSpace)
            }
            guard j < bytes.count, bytes[j] != 0 else { return true }
            let c = bytes[j]
            return Self.isBareKey(c) || c == ascii("\"") || c == ascii("'") || c == ascii("]")
        }

        private func skipSpaces(_ j: inout Int, _ hadSpace: inout Bool) {
            while j < bytes.count, bytes[j] == ascii(" ") || bytes[j] == ascii("\t") {
                j += 1
                hadSpace = true
            }
        }

        /// Moves past a string starting at `i`: basic or literal, single- or multi-line.
        private mutating func skipString(quote: UInt8) {
            let multiLine = i + 2 < bytes.count && bytes[i + 1] == quote && bytes[i + 2] == quote
            i += multiLine ? 3 : 1
            while i < bytes.count, bytes[i] != 0 {
                let b = bytes[i]
                if b == ascii("\\"), quote == ascii("\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == ascii("\n") { line += 1 }
                    i += 2
                    continue
                }
                if b == ascii("\n") {
                    // A single-line string ends at the line's end (unterminated: a parse error).
                    guard multiLine else { return }
                    line += 1
                }
                if b == quote {
                    if !multiLine {
                        i += 1
                        return
                    }
                    if i + 2 < bytes.count, bytes[i + 1] == quote, bytes[i + 2] == quote {
                        i += 3
                        // Up to two more quotes belong to the content before the closing three.
                        var extra = 0
                        while extra < 2, i < bytes.count, bytes[i] == quote {
                            i += 1
                            extra += 1
                        }
                        return
                    }
                }
                i += 1
            }
        }

        private static func isBareKey(_ c: UInt8) -> Bool {
            (c >= ascii("A") && c <= ascii("Z")) || (c >= ascii("a") && c <= ascii("z"))
                || (c >= ascii("0") && c <= ascii("9")) || c == ascii("_") || c == ascii("-")
        }
    }
}

private func ascii(_ s: Unicode.Scalar) -> UInt8 { UInt8(ascii: s) }
