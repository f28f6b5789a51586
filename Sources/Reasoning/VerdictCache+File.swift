import Foundation
import RationCore

/// The cache file, format 2: JSON lines. The first line is `{"format":2}`; each further line
/// is one change (a verdict stored, a label set, a label withdrawn), replayed in order on load.
/// A save appends the changes since the last one and syncs them, so its cost follows what
/// changed, not the cache's size; the file is rewritten whole (atomically) when it holds more
/// than twice the live records, or after a load that found an older format or a torn tail.
/// A crash during an append leaves at most a torn last line, which the next load drops.
/// Format 1 (one JSON object holding every entry and label) is still read.
extension VerdictCache {
    /// One line of the file after the header: exactly one field is set.
    struct FileRecord: Codable {
        var verdict: Entry?
        var label: Override?
        var unlabel: String?

        static func verdict(_ entry: Entry) -> FileRecord { FileRecord(verdict: entry) }
        static func label(_ override: Override) -> FileRecord { FileRecord(label: override) }
        static func unlabel(_ text: String) -> FileRecord { FileRecord(unlabel: text) }
    }

    struct FileHeader: Codable {
        var format: Int
    }

    /// Format 1: the whole cache in one object.
    struct FileModelV1: Codable {
        var format: Int
        var entries: [Entry]
        var overrides: [Override]
    }

    static let fileFormat = 2
    /// Superseded records the file may hold beyond twice the live ones before a save rewrites it.
    static let compactionSlack = 64

    /// Notes a change for the next save; a memory-only cache keeps nothing. Unsaved changes
    /// never outnumber the live records by much: past that, the next save rewrites the file.
    mutating func record(_ change: FileRecord) {
        guard path != nil, !needsRewrite else { return }
        if unsaved.count > 2 * (entries.count + overrides.count) + Self.compactionSlack {
            unsaved.removeAll()
            needsRewrite = true
            return
        }
        unsaved.append(change)
    }

    /// Appends the changes since the last save, or rewrites the file when it is due for
    /// compaction; a no-op for a memory-only cache or when nothing changed.
    public mutating func save() throws(ReasoningError) {
        guard let path else { return }
        let live = entries.count + overrides.count
        if needsRewrite || recordsOnFile + unsaved.count > 2 * live + Self.compactionSlack {
            try rewrite(path)
            return
        }
        guard !unsaved.isEmpty else { return }
        var bytes: [UInt8] = []
        for change in unsaved { bytes += try Self.line(change, path: path) }
        let appended: Bool
        do { appended = try DurableFile.append(bytes, to: path) } catch {
            // Part of the changes may be on file, torn: the next save writes it whole.
            unsaved.removeAll()
            needsRewrite = true
            throw .cache(path: path, detail: error.description)
        }
        guard appended else {
            // No file to append to (never written, or removed since): write it whole.
            try rewrite(path)
            return
        }
        recordsOnFile += unsaved.count
        unsaved.removeAll()
    }

    /// Writes every live label and verdict (least recently used first) atomically.
    private mutating func rewrite(_ path: String) throws(ReasoningError) {
        var bytes = try Self.line(FileHeader(format: Self.fileFormat), path: path)
        var records = 0
        for override in overrides.values.sorted(by: { $0.templateText < $1.templateText }) {
            bytes += try Self.line(FileRecord.label(override), path: path)
            records += 1
        }
        for (_, entry) in entries.leastRecentFirst {
            bytes += try Self.line(FileRecord.verdict(entry), path: path)
            records += 1
        }
        do { try DurableFile.write(bytes, to: path, mode: 0o640) } catch { throw .cache(path: path, detail: error.description) }
        recordsOnFile = records
        unsaved.removeAll()
        needsRewrite = false
    }

    /// Replays a file's contents (either format) into this empty cache.
    mutating func load(_ bytes: [UInt8]) throws(ReasoningError) {
        let path = self.path ?? "-"
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        // The part after the last newline: empty when the file ends with one, else torn.
        let tail = lines.removeLast()
        guard let first = lines.first ?? (tail.isEmpty ? nil : tail) else { return }
        let header: FileHeader
        do { header = try JSONDecoder().decode(FileHeader.self, from: Data(first)) } catch {
            throw .cache(path: path, detail: "not a verdict cache: \(OpenAIChatClient.describe(error))")
        }
        switch header.format {
        case 1:
            try loadVersion1(bytes, path: path)
            needsRewrite = true
            return
        case Self.fileFormat:
            break
        default:
            throw .cache(path: path, detail: "format \(header.format) is newer than this rationd")
        }
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let change: FileRecord
            do { change = try decoder.decode(FileRecord.self, from: Data(line)) } catch {
                throw .cache(path: path, detail: "line \(index + 1): \(OpenAIChatClient.describe(error))")
            }
            apply(change)
        }
        // A last line without its newline is what a crash during an append leaves: used when
        // it decodes, dropped when not; either way the next save rewrites the file.
        if !tail.isEmpty, lines.count > 0, let change = try? decoder.decode(FileRecord.self, from: Data(tail)) { apply(change) }
        recordsOnFile = max(0, lines.count - 1)
        unsaved.removeAll()
        needsRewrite = !tail.isEmpty
    }

    private mutating func loadVersion1(_ bytes: [UInt8], path: String) throws(ReasoningError) {
        let model: FileModelV1
        do { model = try JSONDecoder().decode(FileModelV1.self, from: Data(bytes)) } catch {
            throw .cache(path: path, detail: "not a verdict cache: \(OpenAIChatClient.describe(error))")
        }
        for entry in model.entries.sorted(by: { $0.sequence < $1.sequence }) { apply(.verdict(entry)) }
        for override in model.overrides { apply(.label(override)) }
    }

    private mutating func apply(_ change: FileRecord) {
        if let entry = change.verdict {
            entries.insert(entry, for: entry.key, cost: entry.bytes)
            sequence = max(sequence, entry.sequence)
        } else if let override = change.label {
            overrides[override.templateText] = override
        } else if let text = change.unlabel {
            overrides[text] = nil
        }
    }

    private static func line(_ value: some Encodable, path: String) throws(ReasoningError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(value)) + [0x0A] } catch { throw .cache(path: path, detail: "cannot encode: \(error)") }
    }
}
