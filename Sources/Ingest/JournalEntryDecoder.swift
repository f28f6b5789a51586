import CSystemd
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns the current sd-journal entry into a `LogRecord` with one pass over its fields
/// (`sd_journal_get_data` per field would rescan the entry each time). Repeated field values
/// (host, boot, unit, identifier) are interned so a record costs few allocations. A message
/// longer than `maxMessageBytes` is cut there and its record flagged `truncated`, so one
/// runaway entry costs no more memory than a long line of a file does.
package struct JournalEntryDecoder {
    let source: SourceID
    let maxMessageBytes: Int
    private var hostnames = InternTable()
    private var bootIDs = InternTable()
    private var units = InternTable()
    private var identifiers = InternTable()
    /// The previous entry's fields: consecutive entries of one unit share their storage.
    private var lastFields = RecordFields()
    private var lastRaw = Fields()

    /// Entries rationd wrote itself are skipped (`decode` returns nil); nil skips none.
    let own: OwnJournalEntries?

    package init(source: SourceID, maxMessageBytes: Int = 1 << 20, own: OwnJournalEntries? = nil) {
        self.source = source
        self.maxMessageBytes = max(1, maxMessageBytes)
        self.own = own
    }

    /// The data threshold to give sd-journal: a `MESSAGE=` field one byte longer than the
    /// limit, so a message that is cut still arrives longer than the limit.
    package static func dataThreshold(maxMessageBytes: Int) -> Int {
        Prefix.message.count + maxMessageBytes + 1
    }

    enum Failure: Error {
        case journal(operation: String, code: Int32)
        /// The entry has no readable MESSAGE field.
        case noMessage(cursor: String)
    }

    /// The current entry, or nil when rationd wrote it (`own`); fails with the sd-journal
    /// error when the entry cannot be read.
    mutating func decode(_ journal: OpaquePointer) throws(Failure) -> LogRecord? {
        var realtime: UInt64 = 0
        var r = sd_journal_get_realtime_usec(journal, &realtime)
        if r < 0 { throw .journal(operation: "sd_journal_get_realtime_usec", code: r) }

        var message: [UInt8]?
        var fields = Fields()
        sd_journal_restart_data(journal)
        // sd-journal skips a damaged data object silently; an entry whose MESSAGE is missing
        // is reported (journalctl does not show such entries either).
        r = collect(journal, message: &message, fields: &fields)
        if r < 0 { throw .journal(operation: "sd_journal_enumerate_available_data", code: r) }
        if let own, own.isOwn(messageID: fields.rationdMessageID, pid: fields.pid, unit: fields.unit, bootID: fields.bootID) {
            return nil
        }

        var cursorPointer: UnsafeMutablePointer<CChar>?
        r = sd_journal_get_cursor(journal, &cursorPointer)
        guard r >= 0, let cursorPointer else { throw .journal(operation: "sd_journal_get_cursor", code: r < 0 ? r : -5) }
        let cursor = String(cString: cursorPointer)
        free(cursorPointer)
        guard let message else { throw .noMessage(cursor: cursor) }
        if fields != lastRaw {
            lastRaw = fields
            lastFields = RecordFields(priority: fields.priority, unit: fields.unit, identifier: fields.identifier,
                                      pid: fields.pid, bootID: fields.bootID, hostname: fields.hostname,
                                      truncated: fields.truncated)
        }

        return LogRecord(time: EventTime(microsecondsSinceEpoch: Int64(clamping: realtime)), source: source,
                         message: message, fields: lastFields,
                         checkpoint: Checkpoint(source: source, position: .journalCursor(cursor)))
    }

    /// Reads the entry's readable fields; returns 0 or the sd-journal error.
    private mutating func collect(_ journal: OpaquePointer, message: inout [UInt8]?, fields: inout Fields) -> Int32 {
        var data: UnsafeRawPointer?
        var length = 0
        while true {
            let r = sd_journal_enumerate_available_data(journal, &data, &length)
            if r <= 0 { return r }
            guard let data else { continue }
            take(UnsafeRawBufferPointer(start: data, count: length), message: &message, fields: &fields)
        }
    }

    /// The record fields and message that `entry` (one entry's data objects, `NAME=value`
    /// each) decodes to: `decode` without sd-journal, so the field parsing can be fuzzed.
    package mutating func decodeFields(_ entry: [UnsafeRawBufferPointer]) -> (message: [UInt8]?, fields: RecordFields) {
        var message: [UInt8]?
        var fields = Fields()
        for field in entry { take(field, message: &message, fields: &fields) }
        return (message, RecordFields(priority: fields.priority, unit: fields.unit, identifier: fields.identifier,
                                      pid: fields.pid, bootID: fields.bootID, hostname: fields.hostname,
                                      truncated: fields.truncated))
    }

    /// Takes one data object into `message` or `fields`; other fields are skipped.
    private mutating func take(_ field: UnsafeRawBufferPointer, message: inout [UInt8]?, fields: inout Fields) {
        switch field.first {
        case UInt8(ascii: "M"):
            if field.hasPrefix(Prefix.message) {
                let text = field[Prefix.message.count...]
                fields.truncated = text.count > maxMessageBytes
                message = Array(text.prefix(maxMessageBytes))
            } else if field.hasPrefix(Prefix.messageID) {
                let id = field[Prefix.messageID.count...]
                fields.rationdMessageID = OwnJournalEntries.messageIDs.contains { $0.elementsEqual(id) }
            }
        case UInt8(ascii: "P"):
            if field.hasPrefix(Prefix.priority) { fields.priority = Self.priority(field, from: Prefix.priority.count) }
        case UInt8(ascii: "S"):
            if field.hasPrefix(Prefix.identifier) { fields.identifier = identifiers.string(field, from: Prefix.identifier.count) }
        case UInt8(ascii: "_"):
            guard field.count > 1 else { return }
            switch field[1] {
            case UInt8(ascii: "S"):
                if field.hasPrefix(Prefix.unit) { fields.unit = units.string(field, from: Prefix.unit.count) }
            case UInt8(ascii: "P"):
                if field.hasPrefix(Prefix.pid) { fields.pid = Self.integer(field, from: Prefix.pid.count) }
            case UInt8(ascii: "B"):
                if field.hasPrefix(Prefix.bootID) { fields.bootID = bootIDs.string(field, from: Prefix.bootID.count) }
            case UInt8(ascii: "H"):
                if field.hasPrefix(Prefix.hostname) { fields.hostname = hostnames.string(field, from: Prefix.hostname.count) }
            default: break
            }
        default: break
        }
    }

    /// The entry's fields as read, before they become (or match) a `RecordFields`.
    private struct Fields: Equatable {
        var priority: Priority?
        var unit: String?
        var identifier: String?
        var pid: Int32?
        var bootID: String?
        var hostname: String?
        /// MESSAGE_ID is one of rationd's.
        var rationdMessageID = false
        /// The message was longer than `maxMessageBytes`.
        var truncated = false
    }

    private enum Prefix {
        static let message = Array("MESSAGE=".utf8)
        static let messageID = Array("MESSAGE_ID=".utf8)
        static let priority = Array("PRIORITY=".utf8)
        static let identifier = Array("SYSLOG_IDENTIFIER=".utf8)
        static let unit = Array("_SYSTEMD_UNIT=".utf8)
        static let pid = Array("_PID=".utf8)
        static let bootID = Array("_BOOT_ID=".utf8)
        static let hostname = Array("_HOSTNAME=".utf8)
    }

    private static func integer(_ field: UnsafeRawBufferPointer, from start: Int) -> Int32? {
        guard start < field.count, field.count - start <= 10 else { return nil }
        var value: Int64 = 0
        for byte in field[start...] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return Int32(exactly: value)
    }

    private static func priority(_ field: UnsafeRawBufferPointer, from start: Int) -> Priority? {
        integer(field, from: start).flatMap { Priority(rawValue: Int($0)) }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard count >= prefix.count else { return false }
        return prefix.withUnsafeBytes { memcmp($0.baseAddress!, baseAddress!, prefix.count) == 0 }
    }
}

/// A few recently seen values of one field and their Strings; bounded, replaced round-robin.
private struct InternTable {
    private var entries: [(bytes: [UInt8], string: String)] = []
    private var nextSlot = 0
    private static let capacity = 16

    mutating func string(_ field: UnsafeRawBufferPointer, from start: Int) -> String {
        let value = UnsafeRawBufferPointer(rebasing: field[start...])
        for entry in entries where entry.bytes.count == value.count {
            if value.isEmpty || entry.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, value.baseAddress!, value.count) == 0 }) {
                return entry.string
            }
        }
        let bytes = Array(value)
        let string = String(decoding: bytes, as: UTF8.self)
        if entries.count < Self.capacity {
            entries.append((bytes, string))
        } else {
            entries[nextSlot] = (bytes, string)
            nextSlot = (nextSlot + 1) % Self.capacity
        }
        return string
    }
}
