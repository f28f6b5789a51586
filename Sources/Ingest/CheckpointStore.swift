import Foundation
import RationCore

/// Persists the latest checkpoint of every source in one small JSON file, replaced atomically
/// (temp file, fsync, rename, fsync directory). Callers save only after everything derived from
/// the records before the checkpoint is durable.
public struct CheckpointStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    private struct FileModel: Codable {
        var version: Int
        var checkpoints: [Checkpoint]
    }

    static let version = 1

    /// All saved checkpoints keyed by source; empty when the file does not exist yet.
    public func load() throws(IngestError) -> [SourceID: Checkpoint] {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw .file(path: path, operation: "read", errno: error.errno) }
        guard let bytes else { return [:] }
        let model: FileModel
        do { model = try JSONDecoder().decode(FileModel.self, from: Data(bytes)) } catch {
            throw .checkpoint(path: path, reason: "not a valid checkpoint file: \(error)")
        }
        guard model.version <= Self.version else {
            throw .checkpoint(path: path, reason: "written by a newer rationd (version \(model.version) > \(Self.version))")
        }
        return Dictionary(model.checkpoints.map { ($0.source, $0) }, uniquingKeysWith: { _, last in last })
    }

    public func save(_ checkpoints: [SourceID: Checkpoint]) throws(IngestError) {
        let model = FileModel(version: Self.version, checkpoints: checkpoints.values.sorted { $0.source < $1.source })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(model) } catch { throw .checkpoint(path: path, reason: "encode: \(error)") }
        do { try DurableFile.write(Array(data), to: path) } catch {
            throw .file(path: error.path, operation: error.operation, errno: error.errno)
        }
    }

    /// Updates one source's checkpoint, keeping the others.
    public func save(_ checkpoint: Checkpoint) throws(IngestError) {
        var all = try load()
        all[checkpoint.source] = checkpoint
        try save(all)
    }
}
