/// A whitespace-separated line header in logparser notation, such as
/// `<Date> <Time> <Pid> <Level> <Component>: <Content>`: each `<Field>` before `<Content>` is
/// one word (a literal suffix such as `:` is stripped), `<Content>` is the rest of the line.
/// Used by evaluations to hand the miner only the message and the sessionizer the level and
/// time, as a file source with a configured header would.
public struct HeaderLayout: Sendable, Hashable {
    public let format: String
    /// Header field names in order, with the literal text that follows each one in its word.
    let fields: [(name: String, suffix: [UInt8])]

    public init(_ format: String) throws(TriageError) {
        self.format = format
        var fields: [(String, [UInt8])] = []
        let words = format.split(separator: " ", omittingEmptySubsequences: true)
        guard let last = words.last, last == "<Content>" else {
            throw .invalidConfiguration(setting: "logFormat", reason: "'\(format)' must end with <Content>")
        }
        for word in words.dropLast() {
            guard word.first == "<", let close = word.firstIndex(of: ">") else {
                throw .invalidConfiguration(setting: "logFormat", reason: "'\(word)' in '\(format)' is not a <Field>")
            }
            let name = String(word[word.index(after: word.startIndex)..<close])
            fields.append((name, Array(word[word.index(after: close)...].utf8)))
        }
        self.fields = fields
    }

    public static func == (a: Self, b: Self) -> Bool { a.format == b.format }
    public func hash(into hasher: inout Hasher) { hasher.combine(format) }

    public var fieldNames: [String] { fields.map(\.name) }

    /// The header fields and the content of `line`, or nil when the line has too few words.
    public func split(_ line: ArraySlice<UInt8>) -> (fields: [String: String], content: ArraySlice<UInt8>)? {
        var values: [String: String] = [:]
        var i = line.startIndex
        let end = line.endIndex
        for (name, suffix) in fields {
            while i < end && (line[i] == 32 || line[i] == 9) { i += 1 }
            let start = i
            while i < end && line[i] != 32 && line[i] != 9 { i += 1 }
            guard i > start else { return nil }
            var wordEnd = i
            if !suffix.isEmpty && wordEnd - start >= suffix.count && Array(line[(wordEnd - suffix.count)..<wordEnd]) == suffix {
                wordEnd -= suffix.count
            }
            values[name] = String(decoding: line[start..<wordEnd], as: UTF8.self)
        }
        while i < end && (line[i] == 32 || line[i] == 9) { i += 1 }
        return (values, line[i..<end])
    }
}
