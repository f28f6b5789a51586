import Foundation
import RationCore

/// A regular expression that captures session ids from a message (`blk_-?\d+`).
///
/// The common shape — a literal prefix, an optional `-`, then one character class repeated
/// (`\d+`, `[0-9]+`, `\w+`, `[0-9a-f]+`, `[0-9a-fA-F]+`) — runs on a hand-written byte matcher:
/// it costs one `memchr`-like scan per line. Any other pattern falls back to
/// `NSRegularExpression`, tried only on lines that contain the pattern's leading literal.
/// When the pattern has a capture group, the first group is the key; otherwise the whole match.
public struct SessionKeyPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let matcher: Matcher

    enum Matcher: Sendable {
        case prefixedRun(prefix: [UInt8], optionalMinus: Bool, charClass: CharClass)
        case regex(RegexBox, literal: [UInt8])
    }

    enum CharClass: Sendable {
        case digit, word, lowerHex, hex

        @inline(__always) func contains(_ b: UInt8) -> Bool {
            switch self {
            case .digit: return b &- 48 < 10
            case .word: return b &- 48 < 10 || (b | 0x20) &- 97 < 26 || b == 95
            case .lowerHex: return b &- 48 < 10 || b &- 97 < 6
            case .hex: return b &- 48 < 10 || (b | 0x20) &- 97 < 6
            }
        }
    }

    public init(_ pattern: String) throws(TriageError) {
        self.pattern = pattern
        if let fast = Self.fastMatcher(for: pattern) {
            matcher = fast
            return
        }
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            matcher = .regex(RegexBox(regex), literal: Self.leadingLiteral(of: pattern))
        } catch {
            throw .invalidConfiguration(setting: "sessionKey", reason: "bad regular expression \(pattern): \(error)")
        }
    }

    public var description: String { pattern }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }

    /// The inline-literal scanner for this pattern, when the fast matcher serves it.
    var prefixScanner: KeyPrefixScanner? {
        guard case .prefixedRun(let prefix, let optionalMinus, let charClass) = matcher else { return nil }
        return KeyPrefixScanner(prefix: prefix, optionalMinus: optionalMinus, charClass: charClass)
    }

    /// Whether the hand-written matcher serves this pattern (exposed for tests and benchmarks).
    public var usesFastMatcher: Bool {
        if case .prefixedRun = matcher { return true }
        return false
    }

    /// Distinct keys named by `message`, in order of first appearance.
    public func keys(in message: [UInt8]) -> [SessionKey] {
        switch matcher {
        case .prefixedRun(let prefix, let optionalMinus, let charClass):
            return Self.prefixedRunKeys(message, prefix: prefix, optionalMinus: optionalMinus, charClass: charClass)
        case .regex(let box, let literal):
            if !literal.isEmpty && Self.firstIndex(of: literal, in: message, from: 0) == nil { return [] }
            return box.keys(in: String(decoding: message, as: UTF8.self))
        }
    }

    /// Calls `body` with each distinct key named by `message`, in order; no array is built
    /// for the common one-key line.
    public func forEachKey(in message: [UInt8], _ body: (SessionKey) -> Void) {
        forEachKeyRange(in: message) { body(SessionKey(String(decoding: message[$0], as: UTF8.self))) }
    }

    /// Like `forEachKey`, giving each key as its byte range in `message` (no String is made on
    /// the fast path).
    func forEachKeyRange(in message: [UInt8], _ body: (Range<Int>) -> Void) {
        guard case .prefixedRun(let prefix, let optionalMinus, let charClass) = matcher else {
            // Regular-expression keys: located again in the bytes so callers see ranges.
            for key in keys(in: message) {
                let bytes = Array(key.rawValue.utf8)
                if let at = Self.firstIndex(of: bytes, in: message, from: 0) { body(at..<(at + bytes.count)) }
            }
            return
        }
        var first: Range<Int>?
        var more: [Range<Int>] = []
        var from = 0
        while let start = Self.firstIndex(of: prefix, in: message, from: from) {
            var i = start + prefix.count
            if optionalMinus && i < message.count && message[i] == 45 && i + 1 < message.count
                && charClass.contains(message[i + 1])
            {
                i += 1
            }
            let runStart = i
            while i < message.count && charClass.contains(message[i]) { i += 1 }
            guard i > runStart else { from = start + 1; continue }
            let range = start..<i
            from = i
            if let first {
                if message[first] == message[range] || more.contains(where: { message[$0] == message[range] }) {
                    continue
                }
                more.append(range)
            } else {
                first = range
            }
            body(range)
        }
    }

    // MARK: fast path

    private static func prefixedRunKeys(_ m: [UInt8], prefix: [UInt8], optionalMinus: Bool,
                                        charClass: CharClass) -> [SessionKey] {
        var keys: [SessionKey] = []
        var from = 0
        while let start = firstIndex(of: prefix, in: m, from: from) {
            var i = start + prefix.count
            if optionalMinus && i < m.count && m[i] == 45 /* - */ && i + 1 < m.count && charClass.contains(m[i + 1]) {
                i += 1
            }
            let runStart = i
            while i < m.count && charClass.contains(m[i]) { i += 1 }
            if i > runStart {
                let key = SessionKey(String(decoding: m[start..<i], as: UTF8.self))
                if !keys.contains(key) { keys.append(key) }
                from = i
            } else {
                from = start + 1
            }
        }
        return keys
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count - from else { return nil }
        return haystack.withUnsafeBufferPointer { h -> Int? in
            needle.withUnsafeBufferPointer { n -> Int? in
                var i = from
                let last = h.count - n.count
                while i <= last {
                    guard let p = memchr(h.baseAddress! + i, Int32(first), last - i + 1) else { return nil }
                    let at = h.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    if n.count == 1 || memcmp(h.baseAddress! + at + 1, n.baseAddress! + 1, n.count - 1) == 0 {
                        return at
                    }
                    i = at + 1
                }
                return nil
            }
        }
    }

    /// Recognises `LITERAL(-?)CLASS+` where LITERAL has no metacharacters (escaped ones allowed).
    static func fastMatcher(for pattern: String) -> Matcher? {
        let classes: [(String, CharClass)] = [
            ("\\d+", .digit), ("[0-9]+", .digit), ("\\w+", .word), ("[0-9a-f]+", .lowerHex),
            ("[0-9a-fA-F]+", .hex), ("[0-9A-Fa-f]+", .hex),
        ]
        for (suffix, charClass) in classes where pattern.hasSuffix(suffix) {
            var head = String(pattern.dropLast(suffix.count))
            var optionalMinus = false
            if head.hasSuffix("\\-?") {
                optionalMinus = true
                head = String(head.dropLast(3))
            } else if head.hasSuffix("-?") {
                optionalMinus = true
                head = String(head.dropLast(2))
            }
            guard let literal = unescapedLiteral(head), !literal.isEmpty else { return nil }
            return .prefixedRun(prefix: Array(literal.utf8), optionalMinus: optionalMinus, charClass: charClass)
        }
        return nil
    }

    /// The pattern text as a literal, or nil when it holds a metacharacter.
    static func unescapedLiteral(_ text: String) -> String? {
        var out = ""
        var escaped = false
        for c in text {
            if escaped {
                guard !c.isLetter && !c.isNumber else { return nil }  // \d, \b, \1 … are not literals
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if "^$.|?*+()[]{}".contains(c) {
                return nil
            } else {
                out.append(c)
            }
        }
        return escaped ? nil : out
    }

    /// The literal text every match starts with (empty when there is none).
    static func leadingLiteral(of pattern: String) -> [UInt8] {
        var out: [UInt8] = []
        var escaped = false
        for c in pattern {
            if escaped {
                if c.isLetter || c.isNumber { break }
                out.append(contentsOf: Array(String(c).utf8))
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if "^$.|?*+()[]{}".contains(c) {
                // A quantifier makes the preceding character optional: drop it.
                if "?*{".contains(c), !out.isEmpty { out.removeLast() }
                break
            } else {
                out.append(contentsOf: Array(String(c).utf8))
            }
        }
        return out
    }
}

/// `NSRegularExpression` is immutable and documented thread-safe once built.
final class RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
    init(_ regex: NSRegularExpression) { self.regex = regex }

    func keys(in text: String) -> [SessionKey] {
        let ns = text as NSString
        var keys: [SessionKey] = []
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let range = match.numberOfRanges > 1 && match.range(at: 1).location != NSNotFound
                ? match.range(at: 1) : match.range
            guard range.length > 0 else { continue }
            let key = SessionKey(ns.substring(with: range))
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }
}
