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
        try self.init(document: MergedDocument(text: text, file: file))
    }

    init(document: MergedDocument) throws(ConfigurationError) {
        let root = TableReader(path: "", values: document.values, context: DocumentContext(document: document))
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

    /// Reads and validates a file and its drop-ins (`PATH.d/*.toml`, lexical order; see
    /// `MergedDocument` for how they merge).
    public init(contentsOf path: String) throws(ConfigurationError) {
        try self.init(document: Self.document(path))
    }

    /// The file and its drop-ins merged, unvalidated.
    static func document(_ path: String) throws(ConfigurationError) -> MergedDocument {
        var document = MergedDocument()
        for file in [path] + MergedDocument.dropIns(of: path) {
            try document.merge(text: try Self.read(file), file: file)
        }
        return document
    }

    /// The files `init(contentsOf:)` reads for `path`, in order.
    public static func files(for path: String) -> [String] { [path] + MergedDocument.dropIns(of: path) }

    private static func read(_ path: String) throws(ConfigurationError) -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError(file: path, message: "cannot read: \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, message: "not valid UTF-8")
        }
        return text
    }

    /// The store directory made absolute against the state directory.
    public var storeDirectory: String {
        store.directory.hasPrefix("/") ? store.directory : "\(daemon.stateDirectory)/\(store.directory)"
    }
}
