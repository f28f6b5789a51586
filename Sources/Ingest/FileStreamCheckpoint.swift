import RationCore

/// Acknowledged progress through one file's content. It is a reference so that checkpoints
/// already handed out keep pointing at it when the content moves: after copytruncate the
/// stream continues in the rotated copy, and acknowledgements of records read before the
/// truncation must advance the copy's position, not the truncated file's.
final class FileStreamCheckpoint {
    var position: FilePosition
    var lastSeen: EventTime
    /// When a sweep first found the stream's file under no name (see `expireStreams`).
    var missingSince: EventTime?

    init(position: FilePosition, lastSeen: EventTime) {
        self.position = position
        self.lastSeen = lastSeen
    }

    var identity: FileIdentity {
        get { FileIdentity(device: position.device, inode: position.inode) }
        set {
            position.device = newValue.device
            position.inode = newValue.inode
        }
    }

    /// Applies an acknowledged checkpoint; the identity stays this stream's own.
    func acknowledge(_ acknowledged: FilePosition) {
        position.offset = acknowledged.offset
        position.tailHash = acknowledged.tailHash
        position.tailHashLength = acknowledged.tailHashLength
        if acknowledged.fingerprintLength >= position.fingerprintLength {
            position.headFingerprint = acknowledged.headFingerprint
            position.fingerprintLength = acknowledged.fingerprintLength
        }
    }

    /// Whether the open file `fd` of `size` bytes is this content: same head, and the same
    /// bytes before the saved offset.
    func matches(fd: Int32, size: UInt64) -> Bool {
        let p = position
        guard size >= p.offset, size >= UInt64(p.fingerprintLength) else { return false }
        guard FileFingerprint.hash(fd: fd, offset: 0, length: p.fingerprintLength) == p.headFingerprint else { return false }
        guard p.tailHashLength <= Int(p.offset) else { return false }
        return FileFingerprint.hash(fd: fd, offset: p.offset - UInt64(p.tailHashLength), length: p.tailHashLength)
            == p.tailHash
    }
}
