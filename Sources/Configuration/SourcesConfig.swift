import RationCore

/// Where a source starts reading when it has no checkpoint yet.
public enum StartPosition: String, Sendable, Hashable, CaseIterable {
    /// Only what is written from now on.
    case end
    /// Everything already there (bounded by `max_age` for the journal).
    case beginning
}

/// `[sources.journal]`: the systemd journal.
public struct JournalSourceConfig: Sendable, Hashable {
    public var enabled = true
    /// A journal directory to read instead of the local system journal (nil: the local journal).
    public var directory: String?
    /// A journald namespace (nil: the default namespace).
    public var namespace: String?
    /// Entries at this priority or more severe are triaged and can raise alerts.
    public var maxPriority: Priority = .warning
    /// Less severe entries from every unit still feed the template miner, so it knows the normal templates.
    public var learnFromAllPriorities = true
    /// Only these units (`_SYSTEMD_UNIT`); empty: all units.
    public var units: [String] = []
    public var startAt: StartPosition = .end
    /// With `startAt = .beginning` or a vacuumed checkpoint, skip entries older than this.
    public var maxAge: Duration = .seconds(3600)
    /// Messages longer than this are cut (and say so), as lines of `[[sources.files]]` are.
    public var maxLineBytes = 16 * 1024

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        enabled = try t.bool("enabled", default: enabled)
        directory = try t.optionalString("directory")
        namespace = try t.optionalString("namespace")
        maxPriority = try t.priority("max_priority", default: maxPriority)
        learnFromAllPriorities = try t.bool("learn_from_all_priorities", default: learnFromAllPriorities)
        units = try t.strings("units", default: units)
        startAt = try t.choice("start_at", default: startAt)
        maxAge = try t.duration("max_age", default: maxAge, minimum: .seconds(1))
        maxLineBytes = try t.byteSize("max_line_bytes", default: maxLineBytes, in: 256...(16 << 20))
        if let directory, !directory.hasPrefix("/") { throw t.error("directory", "must be an absolute path") }
        if directory != nil, namespace != nil { throw t.error("namespace", "set either directory or namespace, not both") }
        try t.finish()
    }
}

/// One `[[sources.files]]` entry: a path or glob of rotating text logs.
public struct FileSourceConfig: Sendable, Hashable {
    /// Source name used for checkpoints and alerts (`files.<name>`).
    public var name: String
    /// An absolute path; `*` and `?` in the last component match files as they appear.
    public var path: String
    /// Globs of file names to skip (for example rotated copies such as `*.1`).
    public var exclude: [String] = []
    public var startAt: StartPosition = .end
    /// Lines longer than this are cut (and say so) rather than buffered without bound.
    public var maxLineBytes = 16 * 1024
    /// A regular expression whose first capture group keys sessions (for example `(blk_-?\d+)`); nil: count windows.
    public var sessionKeyPattern: String?

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }

    init(reading t: TableReader) throws(ConfigurationError) {
        let path = try t.string("path", default: "")
        guard !path.isEmpty else { throw t.error("path", "is required") }
        guard path.hasPrefix("/") else { throw t.error("path", "must be an absolute path") }
        self.path = path
        name = try t.string("name", default: FileSourceConfig.defaultName(for: path))
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw t.error("name", "\"\(name)\" must be letters, digits, '-', '_' or '.'")
        }
        exclude = try t.strings("exclude", default: exclude)
        startAt = try t.choice("start_at", default: startAt)
        maxLineBytes = try t.byteSize("max_line_bytes", default: maxLineBytes, in: 256...(16 << 20))
        sessionKeyPattern = try t.optionalString("session_key_pattern")
        if let pattern = sessionKeyPattern {
            do { _ = try Regex(pattern) } catch {
                throw t.error("session_key_pattern", "not a valid regular expression: \(error)")
            }
        }
        try t.finish()
    }

    /// `/var/log/*.log` → `var-log`; `/var/log/nginx/access.log` → `access.log`.
    static func defaultName(for path: String) -> String {
        let parts = path.split(separator: "/")
        let last = parts.last.map(String.init) ?? "files"
        if !last.contains("*"), !last.contains("?") { return last }
        let dirs = parts.dropLast().joined(separator: "-")
        return dirs.isEmpty ? "root" : dirs
    }
}

/// `[sources]`.
public struct SourcesConfig: Sendable, Hashable {
    public var journal = JournalSourceConfig()
    public var files: [FileSourceConfig] = [FileSourceConfig(name: "var-log", path: "/var/log/*.log")]

    public init() {}

    init(reading t: TableReader) throws(ConfigurationError) {
        journal = try JournalSourceConfig(reading: t.table("journal"))
        if let entries = try t.tables("files") {
            var seen: Set<String> = []
            files = []
            for entry in entries {
                let file = try FileSourceConfig(reading: entry)
                guard seen.insert(file.name).inserted else {
                    throw entry.error("name", "another [[sources.files]] entry already uses the name \"\(file.name)\"")
                }
                files.append(file)
            }
        }
        try t.finish()
    }
}
