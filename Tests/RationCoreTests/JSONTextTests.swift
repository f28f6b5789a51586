import Foundation
import RationCore
import Testing

/// The one JSON string escaping of the line-oriented outputs: what it writes parses back.
@Suite struct JSONTextTests {
    @Test(arguments: ["plain", "quote \" and \\ backslash", "tab\tnew\nline\r", "bell \u{07} nul \u{00}", "ünï 日本 🙂", ""])
    func quotedTextParsesBackUnchanged(text: String) throws {
        let quoted = JSONText.quote(text)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(parsed == [text], "\(quoted)")
        #expect(!quoted.dropFirst().dropLast().contains { $0.isNewline || $0 == "\t" })
    }

    @Test func controlCharactersAreEscapedAsUnicode() {
        #expect(JSONText.quote("a\u{01}b") == "\"a\\u0001b\"")
        var buffer: [UInt8] = []
        JSONText.append("x\"", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "\"x\\\"\"")
    }
}
