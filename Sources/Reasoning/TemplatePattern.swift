/// A template text as a glob: `<*>` matches any run of characters (possibly empty), the
/// rest literally. Used to decide whether a line or an older template text is an instance of
/// a template.
public struct TemplatePattern: Sendable, Hashable {
    public let text: String
    let parts: [String]

    public init(_ text: String) {
        self.text = text
        self.parts = text.components(separatedByLiteral: "<*>")
    }

    /// Number of literal characters: more means more specific.
    public var literalLength: Int { parts.reduce(0) { $0 + $1.count } }
    public var hasWildcard: Bool { parts.count > 1 }

    /// Whether the whole of `candidate` is an instance of the pattern.
    public func matches(_ candidate: String) -> Bool {
        let subject = Array(candidate.utf8)
        let literals = parts.map { Array($0.utf8) }
        if literals.count == 1 { return subject == literals[0] }
        let head = literals[0], tail = literals[literals.count - 1]
        guard subject.count >= head.count + tail.count, subject.starts(with: head),
              subject.suffix(tail.count).elementsEqual(tail) else { return false }
        var position = head.count
        let end = subject.count - tail.count
        for middle in literals[1..<(literals.count - 1)] where !middle.isEmpty {
            guard let found = Self.find(middle, in: subject, from: position, before: end) else { return false }
            position = found + middle.count
        }
        return true
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, before end: Int) -> Int? {
        guard needle.count <= end - start else { return nil }
        var i = start
        while i + needle.count <= end {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
