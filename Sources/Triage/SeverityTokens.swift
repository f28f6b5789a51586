import RationCore

/// Finds a log level written in the message itself (`ERROR`, `WARN`, `level=error`, `<3>`)
/// for records whose source gives no priority field. Only the first few tokens are looked at:
/// levels sit in the header, and a later `error` word is content, not a level.
public enum SeverityTokens {
    /// How many leading whitespace-separated tokens may hold the level.
    public static let tokensScanned = 6

    public static func priority(in message: [UInt8]) -> Priority? {
        message.withUnsafeBufferPointer { priority(inBytes: $0) }
    }

    public static func priority(in message: ArraySlice<UInt8>) -> Priority? {
        message.withUnsafeBufferPointer { priority(inBytes: $0) }
    }

    static func priority(inBytes message: UnsafeBufferPointer<UInt8>) -> Priority? {
        var i = 0
        var scanned = 0
        let n = message.count
        while i < n && scanned < tokensScanned {
            while i < n && (message[i] == 32 || message[i] == 9) { i += 1 }
            let start = i
            while i < n && message[i] != 32 && message[i] != 9 { i += 1 }
            if i > start {
                scanned += 1
                if let p = classify(message, start, i) { return p }
            }
        }
        return nil
    }

    /// A level word from a parsed header field (`INFO`, `WARN`, `FATAL`, `SEVERE`, `3`).
    public static func priority(ofLevel level: String) -> Priority? {
        if let p = Priority(parsing: level) { return p }
        let bytes = Array(level.utf8)
        return bytes.withUnsafeBufferPointer { classify($0, 0, $0.count) }
    }

    /// A token such as `ERROR`, `[WARN]`, `E`-free `level=err`, or `<3>` (syslog prefix).
    static func classify(_ m: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Priority? {
        var s = start
        var e = end
        // `<3>` kernel/syslog prefix.
        if e - s >= 3 && m[s] == 60 && m[s + 2] == 62, m[s + 1] &- 48 < 8 {
            return Priority(rawValue: Int(m[s + 1] &- 48))
        }
        // `level=error` / `severity=warn` (logfmt).
        if let eq = m[s..<e].firstIndex(of: 61) {
            let name = m[s..<eq].map { $0 | 0x20 }
            guard name == Array("level".utf8) || name == Array("severity".utf8) || name == Array("lvl".utf8)
            else { return nil }
            s = eq + 1
        }
        while s < e && (m[s] == 91 || m[s] == 40 || m[s] == 34) { s += 1 }      // [ ( "
        while e > s && (m[e - 1] == 93 || m[e - 1] == 41 || m[e - 1] == 58 || m[e - 1] == 34 || m[e - 1] == 44) {
            e -= 1                                                               // ] ) : " ,
        }
        let length = e - s
        guard length >= 3 && length <= 9 else { return nil }
        // Levels are written in one case; mixed-case words are prose.
        var word = [UInt8](repeating: 0, count: length)
        var upper = 0
        for k in 0..<length {
            let b = m[s + k]
            if b &- 65 < 26 { upper += 1 } else if !(b &- 97 < 26) { return nil }
            word[k] = b | 0x20
        }
        guard upper == 0 || upper == length else { return nil }
        switch String(decoding: word, as: UTF8.self) {
        case "emerg", "panic": return .emerg
        case "alert": return upper == length ? .alert : nil
        case "fatal", "crit", "critical", "failure": return .crit
        case "error", "err", "severe": return .err      // java.util.logging's SEVERE is its error level
        case "warn", "warning": return .warning
        case "notice": return .notice
        case "info": return .info
        case "debug", "trace": return .debug
        default: return nil
        }
    }
}
