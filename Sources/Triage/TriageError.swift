/// Everything that can go wrong in the Triage module, with the setting or snapshot detail
/// that explains it.
public enum TriageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A configuration value is out of range or malformed.
    case invalidConfiguration(setting: String, reason: String)
    /// A saved triage state could not be read back.
    case corruptSnapshot(reason: String)
    /// A saved triage state was written by a newer format version.
    case unsupportedSnapshotVersion(found: Int, supported: Int)
    /// An evaluation dataset file does not have the expected shape.
    case invalidDataset(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let setting, let reason): "triage configuration \(setting): \(reason)"
        case .corruptSnapshot(let reason): "triage snapshot unreadable: \(reason)"
        case .unsupportedSnapshotVersion(let found, let supported):
            "triage snapshot version \(found) is newer than supported version \(supported)"
        case .invalidDataset(let file, let line, let reason): "dataset \(file) line \(line): \(reason)"
        }
    }
}
