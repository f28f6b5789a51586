/// An operator-defined mask: a whole word matching `pattern` (a regular expression) is a
/// parameter. Matched only against words, so it costs nothing when none is configured.
public struct MaskingRule: Sendable, Hashable {
    public var name: String
    public var pattern: String

    public init(name: String, pattern: String) {
        self.name = name
        self.pattern = pattern
    }

    func compiled() throws -> Regex<AnyRegexOutput> {
        try Regex(pattern)
    }
}
