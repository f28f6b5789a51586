/// A line layout in logparser notation, e.g. `<Date> <Time> <Level> <Component>: <Content>`:
/// `<Name>` is a field (shortest match), a run of spaces matches any whitespace, anything
/// else is regular-expression text (`\[`, `(\[<PID>\])?`), as in logparser. Only
/// `<Content>` goes to the miner. Used offline (`rationlab parse`); not on the hot path.
public struct LogFormat {
    public let format: String
    private let regex: Regex<AnyRegexOutput>

    public init(_ format: String) throws(MinerError) {
        self.format = format
        var pattern = "^"
        var fields: [String] = []
        var rest = Substring(format)
        while !rest.isEmpty {
            if rest.first == "<", let close = rest.firstIndex(of: ">"),
               !rest[rest.index(after: rest.startIndex)..<close].contains("<"),
               close > rest.index(after: rest.startIndex) {
                let name = String(rest[rest.index(after: rest.startIndex)..<close])
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw .invalidLogFormat(format: format, reason: "field name <\(name)> may hold only letters, digits and _")
                }
                guard !fields.contains(name) else {
                    throw .invalidLogFormat(format: format, reason: "field <\(name)> appears twice")
                }
                fields.append(name)
                pattern += "(?<\(name)>.*?)"
                rest = rest[rest.index(after: close)...]
            } else if rest.first == " " {
                while rest.first == " " { rest = rest.dropFirst() }
                pattern += "\\s+"
            } else {
                pattern.append(rest.first!)
                rest = rest.dropFirst()
            }
        }
        pattern += "$"
        guard fields.contains("Content") else {
            throw .invalidLogFormat(format: format, reason: "it has no <Content> field")
        }
        do {
            regex = try Regex(pattern)
        } catch {
            throw .invalidLogFormat(format: format, reason: "it is not a valid pattern: \(error)")
        }
    }

    /// The `<Content>` of a line, or nil when the line does not fit the format.
    public func content(of line: String) -> Substring? {
        guard let match = try? regex.wholeMatch(in: line), let content = match.output["Content"]?.substring else {
            return nil
        }
        return content
    }
}
