import RationCore

/// Everything one file source needs, already validated into types; the TOML layer maps onto it.
public struct FileSourceConfiguration: Sendable {
    /// Names the source in records and checkpoints (`files.nginx`).
    public var id: SourceID
    /// Absolute glob patterns (`/var/log/app/*.log`) of the files to follow.
    public var include: [String]
    /// Glob patterns of paths never read, matched against the full path (`*.gz`).
    public var exclude: [String]
    /// How long a rotated or deleted file keeps being read after its last growth.
    public var rotateWait: Duration
    /// How often paths are re-checked without inotify help (new files, network filesystems,
    /// lost events); also the idle wake-up interval.
    public var pollInterval: Duration
    /// Bytes at the head of a file hashed into its identity.
    public var fingerprintBytes: Int
    /// Bytes before the saved offset hashed to recognise the same content after a restart.
    public var tailHashBytes: Int
    /// Longest line delivered as one record; longer lines are split and flagged `truncated`.
    public var maxLineBytes: Int
    /// A last line without its newline is delivered after this long without growth.
    public var partialLineTimeout: Duration
    /// Merging of continuation lines (stack traces) into one record; nil delivers every line.
    public var multiline: Multiline?
    /// Checkpoints of files not seen for this long are dropped.
    public var expireAfter: Duration
    /// A rotated file missing from every directory sweep for this long (while the followed
    /// path holds a file) is deleted: its checkpoint goes. One listing taken while logrotate
    /// renames files can miss a file that is there, hence more than one sweep.
    public var missingGrace: Duration = .seconds(10)
    /// Bytes read from one file per read call.
    public var readChunkBytes: Int
    /// Where files found at the first start (no saved state at all) begin.
    public var startAt: StartPosition

    /// `.end` skips what files already hold when the source starts without any checkpoint,
    /// so a first start does not replay old logs; files that appear later, and every start
    /// with saved state, are read from their start (or their checkpoint), so nothing new is lost.
    public enum StartPosition: Sendable {
        case beginning
        case end
    }

    public struct Multiline: Sendable {
        /// POSIX extended regular expression that a line starting a new record matches
        /// (for example `^[0-9]{4}-[0-9]{2}-[0-9]{2}`).
        public var startPattern: String
        /// A record holds at most this many lines; the next line starts a new one.
        public var maxLines: Int
        /// A pending record is delivered after this long without a continuation line.
        public var timeout: Duration

        public init(startPattern: String, maxLines: Int = 500, timeout: Duration = .seconds(1)) {
            self.startPattern = startPattern
            self.maxLines = maxLines
            self.timeout = timeout
        }
    }

    public init(id: SourceID, include: [String], exclude: [String] = [], rotateWait: Duration = .seconds(5),
                pollInterval: Duration = .seconds(1), fingerprintBytes: Int = 256, tailHashBytes: Int = 256,
                maxLineBytes: Int = 1 << 20, partialLineTimeout: Duration = .seconds(5),
                multiline: Multiline? = nil, expireAfter: Duration = .seconds(86_400 * 7),
                readChunkBytes: Int = 1 << 18, startAt: StartPosition = .beginning) {
        self.id = id
        self.include = include
        self.exclude = exclude
        self.rotateWait = rotateWait
        self.pollInterval = pollInterval
        self.fingerprintBytes = fingerprintBytes
        self.tailHashBytes = tailHashBytes
        self.maxLineBytes = maxLineBytes
        self.partialLineTimeout = partialLineTimeout
        self.multiline = multiline
        self.expireAfter = expireAfter
        self.readChunkBytes = readChunkBytes
        self.startAt = startAt
    }

    /// Rejects settings that cannot work, naming the key.
    public func validate() throws(IngestError) {
        let key = "sources.\(id.rawValue)"
        if include.isEmpty { throw .configuration(key: "\(key).include", reason: "at least one glob is required") }
        for pattern in include where !pattern.hasPrefix("/") {
            throw .configuration(key: "\(key).include", reason: "'\(pattern)' is not an absolute path")
        }
        if fingerprintBytes < 1 || fingerprintBytes > 1 << 16 {
            throw .configuration(key: "\(key).fingerprint_bytes", reason: "must be 1...65536, got \(fingerprintBytes)")
        }
        if tailHashBytes < 1 || tailHashBytes > 1 << 16 {
            throw .configuration(key: "\(key).tail_hash_bytes", reason: "must be 1...65536, got \(tailHashBytes)")
        }
        if maxLineBytes < 16 { throw .configuration(key: "\(key).max_line_bytes", reason: "must be at least 16, got \(maxLineBytes)") }
        if readChunkBytes < 4096 { throw .configuration(key: "\(key).read_chunk_bytes", reason: "must be at least 4096") }
        if pollInterval <= .zero { throw .configuration(key: "\(key).poll_interval", reason: "must be positive") }
        if rotateWait < .zero { throw .configuration(key: "\(key).rotate_wait", reason: "must not be negative") }
        if let multiline {
            if multiline.maxLines < 1 { throw .configuration(key: "\(key).multiline.max_lines", reason: "must be at least 1") }
            _ = try PosixRegex(multiline.startPattern, key: "\(key).multiline.start_pattern")
        }
    }
}
