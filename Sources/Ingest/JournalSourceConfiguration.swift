import RationCore

/// Everything a `JournalSource` needs to know, already validated into types (the TOML layer
/// maps `[[sources.journal]]` onto this).
public struct JournalSourceConfiguration: Sendable, Hashable {
    /// Which journal files to read.
    public enum OpenMode: Sendable, Hashable {
        /// The local machine's system journal (`/run/log/journal`, `/var/log/journal`), as `journalctl`.
        case local
        /// Every journal file in a directory (and its machine-id subdirectories), as `journalctl -D`.
        case directory(String)
        /// Exactly these files, as `journalctl --file`; appends to them are followed.
        case files([String])
        /// A journald namespace (`journalctl --namespace`).
        case namespace(String)
    }

    /// Where to start when no checkpoint exists.
    public enum StartPosition: Sendable, Hashable {
        /// The oldest entry still in the journal.
        case head
        /// Only entries written after the source opens.
        case tail
    }

    /// Where to start when the saved cursor cannot be used (malformed, or from a journal that
    /// no longer exists).
    public enum FallbackPosition: Sendable, Hashable {
        case head
        case tail
        /// Entries no older than this, relative to the wall clock at open.
        case maxAge(Duration)
    }

    public var id: SourceID
    public var open: OpenMode
    /// `_SYSTEMD_UNIT` values; a record matches when its unit is one of these or its
    /// identifier is one of `identifiers` (both empty: no restriction).
    public var units: [String]
    /// `SYSLOG_IDENTIFIER` values (see `units`).
    public var identifiers: [String]
    /// Only records with `PRIORITY` at most this (more severe or equal); nil: all.
    public var maxPriority: Priority?
    /// Only records of the boot the source opened in.
    public var currentBootOnly: Bool
    public var readFrom: StartPosition
    public var fallback: FallbackPosition
    /// How long to wait between attempts to open a journal that is missing or unreadable.
    public var reopenInterval: Duration
    /// Minimum spacing of repeated warnings of one kind (corrupt files, read errors).
    public var warningInterval: Duration
    /// Longest message delivered; a longer one is cut here and its record flagged `truncated`,
    /// as `FileSourceConfiguration.maxLineBytes` does for lines.
    public var maxLineBytes: Int

    public init(id: SourceID = "journal", open: OpenMode = .local, units: [String] = [], identifiers: [String] = [],
                maxPriority: Priority? = nil, currentBootOnly: Bool = false, readFrom: StartPosition = .tail,
                fallback: FallbackPosition = .tail, reopenInterval: Duration = .seconds(1),
                warningInterval: Duration = .seconds(30), maxLineBytes: Int = 1 << 20) {
        self.id = id
        self.open = open
        self.units = units
        self.identifiers = identifiers
        self.maxPriority = maxPriority
        self.currentBootOnly = currentBootOnly
        self.readFrom = readFrom
        self.fallback = fallback
        self.reopenInterval = reopenInterval
        self.warningInterval = warningInterval
        self.maxLineBytes = maxLineBytes
    }

    /// Rejects configurations that cannot work, naming the key.
    public func validate() throws(IngestError) {
        switch open {
        case .local: break
        case let .directory(path):
            if path.isEmpty { throw .configuration(key: "\(id).directory", reason: "empty path") }
        case let .files(paths):
            if paths.isEmpty { throw .configuration(key: "\(id).files", reason: "no files given") }
            if let bad = paths.first(where: \.isEmpty) { throw .configuration(key: "\(id).files", reason: "empty path '\(bad)'") }
        case let .namespace(name):
            if name.isEmpty { throw .configuration(key: "\(id).namespace", reason: "empty namespace") }
        }
        for (key, values) in [("units", units), ("identifiers", identifiers)] {
            if let bad = values.first(where: { $0.isEmpty || $0.contains("=") || $0.contains("\n") }) {
                throw .configuration(key: "\(id).\(key)", reason: "invalid value '\(bad)'")
            }
        }
        if case let .maxAge(age) = fallback, age <= .zero {
            throw .configuration(key: "\(id).fallback", reason: "max age must be positive")
        }
        if maxLineBytes < 16 { throw .configuration(key: "\(id).max_line_bytes", reason: "must be at least 16, got \(maxLineBytes)") }
        if reopenInterval <= .zero { throw .configuration(key: "\(id).reopen_interval", reason: "must be positive") }
    }
}
