#if canImport(Glibc)
import Glibc
#endif

/// Device and inode of a file: the first, but not sufficient, part of its identity.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ st: stat) {
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// Content hashes that complete a file's identity: the head fingerprint and the hash of the
/// bytes before an offset (FNV-1a, 64 bit; collisions only cost a re-read, never a skip
/// of unmatched content, because both hashes and the inode must agree).
enum FileFingerprint {
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hash of `length` bytes at `offset`, or nil when the file has fewer.
    static func hash(fd: Int32, offset: UInt64, length: Int) -> UInt64? {
        guard length > 0 else { return hash(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return withUnsafeTemporaryAllocation(byteCount: length, alignment: 8) { buffer -> UInt64? in
            var got = 0
            while got < length {
                let n = pread(fd, buffer.baseAddress! + got, length - got, off_t(offset) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                if n == 0 { return nil }
                got += n
            }
            return hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The head fingerprint of a file of `size` bytes: hash of its first min(size, maxBytes) bytes.
    static func head(fd: Int32, size: UInt64, maxBytes: Int) -> (hash: UInt64, length: Int) {
        let length = Int(min(size, UInt64(maxBytes)))
        return (hash(fd: fd, offset: 0, length: length) ?? 0, length)
    }

    /// Hash of up to `maxBytes` bytes ending at `offset`.
    static func tail(fd: Int32, endingAt offset: UInt64, maxBytes: Int) -> (hash: UInt64, length: Int)? {
        let length = Int(min(offset, UInt64(maxBytes)))
        guard let h = hash(fd: fd, offset: offset - UInt64(length), length: length) else { return nil }
        return (h, length)
    }

    /// Whether the bytes ending at `offset` equal `expected`.
    static func bytesEqual(fd: Int32, endingAt offset: UInt64, expected: [UInt8]) -> Bool {
        guard offset >= UInt64(expected.count) else { return false }
        if expected.isEmpty { return true }
        var actual = [UInt8](repeating: 0, count: expected.count)
        let n = actual.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(offset) - off_t(expected.count)) }
        return n == expected.count && actual == expected
    }

    /// Whether the first bytes announce a compressed file (gzip, bzip2, xz, zstd, lz4).
    static func looksCompressed(fd: Int32) -> Bool {
        var magic = [UInt8](repeating: 0, count: 6)
        let n = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, 6, 0) }
        guard n >= 2 else { return false }
        if magic[0] == 0x1f && magic[1] == 0x8b { return true }
        guard n >= 4 else { return false }
        if magic[0] == 0x42 && magic[1] == 0x5a && magic[2] == 0x68 { return true }
        if magic[0..<4] == [0x28, 0xb5, 0x2f, 0xfd] || magic[0..<4] == [0x04, 0x22, 0x4d, 0x18] { return true }
        return n == 6 && magic == [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
    }
}
