import Testing
@testable import RationCore

@Suite struct TerminalTextTests {
    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect(TerminalText.escaped("plain text, ünïcode ✓") == "plain text, ünïcode ✓")
        #expect(TerminalText.escaped("\u{1B}]0;owned\u{07}title") == "\\e]0;owned\\x07title")
        #expect(TerminalText.escaped("a\nfake line\r") == "a\\nfake line\\r")
        #expect(TerminalText.escaped("csi\u{9B}31m del\u{7F}") == "csi\\u{9B}31m del\\x7F")
        #expect(TerminalText.escaped("a\tb") == "a\\tb")
        #expect(TerminalText.escaped("a\tb\u{1B}", keepingTabs: true) == "a\tb\\e")
        // Idempotent: escaped text has no control characters left.
        let once = TerminalText.escaped("\u{1B}[2J\u{0}")
        #expect(TerminalText.escaped(once) == once)
        #expect(!once.unicodeScalars.contains { TerminalText.isControl($0) })
    }

    @Test func linesKeepTheirBreaks() {
        #expect(TerminalText.escapedLines(["one\u{1B}", "two\nthree"]) == "one\\e\ntwo\\nthree")
    }
}
