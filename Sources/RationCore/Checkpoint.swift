/// Where a source stands. A checkpoint is persisted only once everything derived from the
/// records before it is durable, so a restart delivers at least once and never skips.
public struct Checkpoint: Hashable, Sendable, Codable {
    public var source: SourceID
    public var position: Position

    public init(source: SourceID, position: Position) {
        self.source = source
        self.position = position
    }

    public enum Position: Hashable, Sendable, Codable {
        /// An sd-journal cursor (`s=…;i=…;b=…;m=…;t=…;x=…`).
        case journalCursor(String)
        /// A byte offset in a file identified beyond its path (see `FileIdentity`).
        case file(FilePosition)
    }
}

/// Identity and offset of a followed file: device+inode alone is not enough after
/// copytruncate or inode reuse, so the head fingerprint and the hash of the bytes just
/// before `offset` are kept too.
public struct FilePosition: Hashable, Sendable, Codable {
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    /// Hash of the first `fingerprintLength` bytes (0 when the file was shorter).
    public var headFingerprint: UInt64
    public var fingerprintLength: Int
    public var offset: UInt64
    /// Hash of up to `tailHashLength` bytes ending at `offset`.
    public var tailHash: UInt64
    public var tailHashLength: Int

    public init(path: String, device: UInt64, inode: UInt64, headFingerprint: UInt64, fingerprintLength: Int,
                offset: UInt64, tailHash: UInt64, tailHashLength: Int) {
        self.path = path
        self.device = device
        self.inode = inode
        self.headFingerprint = headFingerprint
        self.fingerprintLength = fingerprintLength
        self.offset = offset
        self.tailHash = tailHash
        self.tailHashLength = tailHashLength
    }
}
