import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// How `rationd tap` prints a record.
enum TapFormat: String, CaseIterable {
    /// `TIME HOST IDENTIFIER[PID] <PRIORITY>: MESSAGE`, like `journalctl -o short-iso-precise`.
    case text
    /// One JSON object per line with every field and the checkpoint cursor.
    case jsonl
}

/// Formats records into one buffer and writes it to a file descriptor completely; for a
/// regular file the data is also fsynced, so a checkpoint committed afterwards never points
/// past what the operator can read.
struct TapOutput {
    let format: TapFormat
    let fd: Int32
    private let syncs: Bool
    private var buffer: [UInt8] = []

    init(format: TapFormat, fd: Int32 = 1) {
        self.format = format
        self.fd = fd
        var info = stat()
        self.syncs = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// `templateID` is the miner's template for the message, as the daemon would see it.
    mutating func append(_ record: LogRecord, templateID: TemplateID? = nil) {
        switch format {
        case .text: appendText(record, templateID: templateID)
        case .jsonl: appendJSON(record, templateID: templateID)
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Writes what was appended; throws the errno of a failed write (EPIPE when the reader left).
    mutating func flush() throws(TapWriteError) {
        defer { buffer.removeAll(keepingCapacity: true) }
        let failure: Int32 = buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return 0
        }
        if failure != 0 { throw TapWriteError(errno: failure) }
        if syncs, fsync(fd) != 0 { throw TapWriteError(errno: errno) }
    }

    private mutating func appendText(_ record: LogRecord, templateID: TemplateID?) {
        appendISOTime(record.time)
        buffer.append(UInt8(ascii: " "))
        buffer += (record.fields.hostname ?? "-").utf8
        buffer.append(UInt8(ascii: " "))
        buffer += (record.fields.identifier ?? record.fields.unit ?? record.source.rawValue).utf8
        if let pid = record.fields.pid { buffer += "[\(pid)]".utf8 }
        if let priority = record.fields.priority { buffer += " <\(priority)>".utf8 }
        if let templateID { buffer += " \(templateID)".utf8 }
        buffer += ": ".utf8
        // Control bytes as visible escapes (the terminal must not act on them); a newline
        // inside a journal message stays one line.
        for byte in record.message {
            switch byte {
            case UInt8(ascii: "\n"): buffer += "\\n".utf8
            case UInt8(ascii: "\t"): buffer += "\\t".utf8
            case 0x1B: buffer += "\\e".utf8
            case 0..<0x20, 0x7F:
                let hex = String(byte, radix: 16, uppercase: true)
                buffer += "\\x\(hex.count == 1 ? "0" : "")\(hex)".utf8
            default: buffer.append(byte)
            }
        }
    }

    private mutating func appendJSON(_ record: LogRecord, templateID: TemplateID?) {
        buffer += "{\"time_us\":\(record.time.microsecondsSinceEpoch),\"time\":\"".utf8
        appendISOTime(record.time)
        buffer += "\",\"source\":".utf8
        appendJSONString(record.source.rawValue)
        if case let .journalCursor(cursor)? = record.checkpoint?.position {
            buffer += ",\"cursor\":".utf8
            appendJSONString(cursor)
        }
        if let priority = record.fields.priority { buffer += ",\"priority\":\(priority.rawValue)".utf8 }
        if let unit = record.fields.unit { buffer += ",\"unit\":".utf8; appendJSONString(unit) }
        if let identifier = record.fields.identifier { buffer += ",\"identifier\":".utf8; appendJSONString(identifier) }
        if let pid = record.fields.pid { buffer += ",\"pid\":\(pid)".utf8 }
        if let boot = record.fields.bootID { buffer += ",\"boot_id\":".utf8; appendJSONString(boot) }
        if let host = record.fields.hostname { buffer += ",\"hostname\":".utf8; appendJSONString(host) }
        if let path = record.fields.path { buffer += ",\"path\":".utf8; appendJSONString(path) }
        if record.fields.truncated { buffer += ",\"truncated\":true".utf8 }
        if let templateID { buffer += ",\"template_id\":\(templateID.rawValue)".utf8 }
        buffer += ",\"message\":".utf8
        appendJSONString(record.displayMessage)
        buffer.append(UInt8(ascii: "}"))
    }

    private mutating func appendJSONString(_ text: String) { JSONText.append(text, to: &buffer) }

    /// `YYYY-MM-DDTHH:MM:SS.uuuuuuZ` (UTC).
    private mutating func appendISOTime(_ time: EventTime) {
        let micro = time.microsecondsSinceEpoch
        var seconds = time_t(micro >= 0 ? micro / 1_000_000 : (micro - 999_999) / 1_000_000)
        let fraction = Int(micro - Int64(seconds) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        buffer += "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(fraction, 6))Z".utf8
    }
}

struct TapWriteError: Error, CustomStringConvertible {
    var errno: Int32
    var description: String { "writing output failed: \(String(cString: strerror(errno)))" }
}
