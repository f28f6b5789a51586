import Foundation
import TemplateMiner

/// The whole of `/etc/rationd/rationd.toml`, validated: every component's typed settings.
/// A missing key takes its default; an unknown key, a wrong type or an invalid value is an
/// error naming the file, line and key.
public struct RationdConfiguration: Sendable, Hashable {
    public static let defaultPath = "/etc/rationd/rationd.toml"

    public var daemon = DaemonConfig()
    public var sources = SourcesConfig()
    public var miner = MinerConfiguration.default
    public var sessionizer = SessionizerConfig()
    public var triage = TriageConfig()
    public var reasoning = ReasoningConfig()
    public var store = StoreConfig()
    public var control = ControlConfig()

    /// Every default; the same as an empty file.
    public init() {}

    /// Parses and validates TOML text; `file` names it in errors.
    public init(text: String, file: String = "<config>") throws(ConfigurationError) {
        let values = try ConfigValue.parse(text, file: file)
        let root = TableReader(path: "", values: values,
                               context: DocumentContext(file: file, locator: KeyLocator(text: text)))
        daemon = try DaemonConfig(reading: root.table("daemon"))
        sources = try SourcesConfig(reading: root.table("sources"))
        miner = try MinerConfiguration(reading: root.table("miner"))
        sessionizer = try SessionizerConfig(reading: root.table("sessionizer"))
        triage = try TriageConfig(reading: root.table("triage"))
        reasoning = try ReasoningConfig(reading: root.table("reasoning"))
        store = try StoreConfig(reading: root.table("store"))
        control = try ControlConfig(reading: root.table("control"))
        try root.finish()
    }

    /// Reads and validates a file.
    public init(contentsOf path: String) throws(ConfigurationError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError(file: path, message: "cannot read: \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, message: "not valid UTF-8")
        }
        try self.init(text: text, file: path)
    }

    /// The store directory made absolute against the state directory.
    public var storeDirectory: String {
        store.directory.hasPrefix("/") ? store.directory : "\(daemon.stateDirectory)/\(store.directory)"
    }
}
