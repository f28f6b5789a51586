import Foundation
import RationCore

/// The persisted checkpoints of one file source: one entry per file content stream it knows
/// (followed files, rotated files being or already drained, rotated files seen at first
/// start), each with the acknowledged offset and when the file was last seen.
public struct FileSourceState: Sendable, Codable, Equatable {
    public var version: Int
    public var source: SourceID
    public var files: [Entry]

    public struct Entry: Sendable, Codable, Equatable {
        /// `path` is the followed path the stream belongs to, not its rotated name.
        public var position: FilePosition
        public var lastSeen: EventTime

        public init(position: FilePosition, lastSeen: EventTime) {
            self.position = position
            self.lastSeen = lastSeen
        }
    }

    public static let currentVersion = 1

    public init(source: SourceID, files: [Entry]) {
        self.version = Self.currentVersion
        self.source = source
        self.files = files
    }
}

/// Keeps a `FileSourceState` in its own JSON file, replaced atomically (temp file, fsync,
/// rename, fsync directory). The shared `CheckpointStore` holds one position per source; a
/// file source needs one per file, hence this separate file.
public struct FileCheckpointStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The saved state, or nil when none was saved yet.
    public func load() throws(IngestError) -> FileSourceState? {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw .file(path: path, operation: "read", errno: error.errno) }
        guard let bytes else { return nil }
        let state: FileSourceState
        do { state = try JSONDecoder().decode(FileSourceState.self, from: Data(bytes)) } catch {
            throw .checkpoint(path: path, reason: "not a valid file-source checkpoint: \(error)")
        }
        guard state.version <= FileSourceState.currentVersion else {
            throw .checkpoint(path: path, reason: "written by a newer rationd (version \(state.version))")
        }
        return state
    }

    public func save(_ state: FileSourceState) throws(IngestError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(state) } catch { throw .checkpoint(path: path, reason: "encode: \(error)") }
        do { try DurableFile.write(Array(data), to: path) } catch {
            throw .file(path: error.path, operation: error.operation, errno: error.errno)
        }
    }
}
