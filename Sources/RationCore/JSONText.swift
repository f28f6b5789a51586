/// JSON string literals for line-oriented outputs written without an encoder
/// (`rationd tap`, `rationlab parse --json`, the file-following test helper): one escaping
/// for all of them.
public enum JSONText {
    public static func quote(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a quoted JSON string: quotes, backslashes and control characters
    /// escaped, everything else as its UTF-8 bytes.
    public static func append(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer += "\\\"".utf8
            case UInt8(ascii: "\\"): buffer += "\\\\".utf8
            case UInt8(ascii: "\n"): buffer += "\\n".utf8
            case UInt8(ascii: "\r"): buffer += "\\r".utf8
            case UInt8(ascii: "\t"): buffer += "\\t".utf8
            case 0..<0x20:
                buffer += "\\u00".utf8
                buffer.append(hexDigits[Int(byte >> 4)])
                buffer.append(hexDigits[Int(byte & 15)])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
