import Configuration
import Foundation

/// The running configuration and where it came from. A reload validates the file first and
/// keeps the running configuration when the new one is invalid.
public actor ConfigurationHolder {
    /// nil: the built-in defaults (no file at the default path).
    public nonisolated let path: String?
    public private(set) var current: RationdConfiguration

    public init(path: String?, initial: RationdConfiguration) {
        self.path = path
        self.current = initial
    }

    /// Loads `path`; when it is the default path and does not exist, the built-in defaults.
    public static func load(path: String?) throws(ConfigurationError) -> (path: String?, configuration: RationdConfiguration) {
        let file = path ?? RationdConfiguration.defaultPath
        if path == nil, !FileManager.default.fileExists(atPath: file) {
            return (nil, RationdConfiguration())
        }
        return (file, try RationdConfiguration(contentsOf: file))
    }

    /// Re-reads the file. Returns what changed; throws (keeping the old configuration) when invalid.
    public func reload() throws(ConfigurationError) -> [ConfigurationChange] {
        guard let path else { return [] }
        let next = try RationdConfiguration(contentsOf: path)
        let changes = next.changes(from: current)
        current = next
        return changes
    }
}
