/// Errors of the template miner module; each says what was being read or checked.
public enum MinerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(key: String, reason: String)
    /// A snapshot that is not one: wrong magic, truncated, undecodable.
    case corruptSnapshot(reason: String)
    /// A snapshot written by a newer (or unknown) format version.
    case unsupportedSnapshotVersion(found: UInt32, supported: UInt32)
    /// A snapshot made with tokenizer or tree settings other than the running ones: its
    /// templates would not be found again.
    case snapshotConfigurationDiffers(setting: String)
    /// Reading or writing a snapshot file failed.
    case snapshotFile(path: String, reason: String)
    /// A `--log-format` string that cannot be used.
    case invalidLogFormat(format: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(key, reason): "miner configuration: \(key): \(reason)"
        case let .corruptSnapshot(reason): "miner snapshot is corrupt: \(reason)"
        case let .unsupportedSnapshotVersion(found, supported):
            "miner snapshot has format version \(found); this build reads version \(supported)"
        case let .snapshotConfigurationDiffers(setting):
            "miner snapshot was made with another \(setting) than the configuration sets"
        case let .snapshotFile(path, reason): "miner snapshot \(path): \(reason)"
        case let .invalidLogFormat(format, reason): "log format \"\(format)\": \(reason)"
        }
    }
}
