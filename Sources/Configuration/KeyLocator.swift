/// Finds the line on which a key path (`sources.files[1].path`) is written, by scanning the
/// TOML text: the parser keeps no positions for values. Handles table headers, arrays of
/// tables, dotted keys, and skips multi-line strings and arrays; a key it cannot place
/// falls back to the line of its table header.
struct KeyLocator: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var prefix = ""
        var arrayCounts: [String: Int] = [:]
        var inMultilineString: String? = nil
        var bracketDepth = 0
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingSpaces()
            if let delimiter = inMultilineString {
                if line.contains(delimiter) { inMultilineString = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += KeyLocator.bracketBalance(line)
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let name = KeyLocator.headerName(line, open: "[[", close: "]]")
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                prefix = "\(name)[\(index)]"
                record(prefix, lineNumber)
                continue
            }
            if line.hasPrefix("[") {
                prefix = KeyLocator.headerName(line, open: "[", close: "]")
                record(prefix, lineNumber)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = KeyLocator.normalise(String(line[..<equals]))
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            record(path, lineNumber)
            let value = line[line.index(after: equals)...].trimmingSpaces()
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) {
                if !value.dropFirst(3).contains(delimiter) { inMultilineString = delimiter }
            }
            if value.hasPrefix("[") { bracketDepth = max(0, KeyLocator.bracketBalance(value)) }
        }
    }

    /// The line of `path`, or of the nearest enclosing table written in the file.
    func line(of path: String) -> Int? {
        var candidate = path
        while true {
            if let line = lines[candidate] { return line }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            candidate = String(candidate[..<cut])
        }
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private static func headerName(_ line: String, open: String, close: String) -> String {
        var body = line.dropFirst(open.count)
        if let end = body.range(of: close) { body = body[..<end.lowerBound] }
        return normalise(String(body))
    }

    /// `a . "b"` → `a.b`.
    private static func normalise(_ key: String) -> String {
        key.split(separator: ".").map { part in
            var p = part.trimmingSpaces()
            if p.count >= 2, let f = p.first, f == "\"" || f == "'", p.last == f { p = String(p.dropFirst().dropLast()) }
            return p
        }.joined(separator: ".")
    }

    /// Net `[` minus `]` outside strings and comments.
    private static func bracketBalance(_ text: String) -> Int {
        var depth = 0
        var quote: Character? = nil
        for c in text {
            if let q = quote { if c == q { quote = nil }; continue }
            switch c {
            case "\"", "'": quote = c
            case "#": return depth
            case "[": depth += 1
            case "]": depth -= 1
            default: break
            }
        }
        return depth
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}
