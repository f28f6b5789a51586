/// Log text made safe to print on a terminal: control characters (C0, DEL, C1) become visible
/// escapes (`\n`, `\r`, `\t`, `\e`, `\x07`, `\u{9B}`), so a log line cannot move the cursor,
/// recolour the screen, set the window title or fake another line of output.
public enum TerminalText {
    /// `text` with its control characters escaped; tabs kept when `keepingTabs` (tab-separated
    /// output). Text without control characters is returned as it is.
    public static func escaped(_ text: String, keepingTabs: Bool = false) -> String {
        // Fast path: no byte that could start a control character (C0, DEL, or C1 as 0xC2 0x80-0x9F).
        guard mayHoldControl(text) else { return text }
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingTabs && $0 == "\t") }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar), !(keepingTabs && scalar == "\t") else { out.append(scalar); continue }
            let escape: String = switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "\u{1B}": "\\e"
            default: scalar.value < 0x80 ? "\\x" + hex(scalar.value, digits: 2) : "\\u{" + hex(scalar.value, digits: 2) + "}"
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    /// Each line of a multi-line rendering escaped, the line breaks between them kept.
    public static func escapedLines(_ lines: [String]) -> String {
        lines.map { escaped($0) }.joined(separator: "\n")
    }

    private static func mayHoldControl(_ text: String) -> Bool {
        let found = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes where byte < 0x20 || byte == 0x7F || byte == 0xC2 { return true }
            return false
        }
        return found ?? true
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
