import Configuration
import Foundation

/// The running configuration and where it came from. A reload reads and validates the file,
/// lets the pipeline apply it, and only then commits it; an invalid file changes nothing.
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

    /// Re-reads and validates the file without applying it (nil: no file, the built-in
    /// defaults stay). Throws when the file is invalid.
    public func read() throws(ConfigurationError) -> RationdConfiguration? {
        guard let path else { return nil }
        return try RationdConfiguration(contentsOf: path)
    }

    /// Makes `next` the running configuration (after the pipeline accepted it).
    public func commit(_ next: RationdConfiguration) { current = next }
}
