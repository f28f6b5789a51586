#if canImport(Glibc)
import Glibc
#endif

/// File names inside the store directory and the directory-level files: `FORMAT` (schema
/// version, so a newer store is refused before any file is touched) and `LOCK` (one writer).
struct StoreLayout {
    let directory: String

    var formatPath: String { directory + "/FORMAT" }
    var lockPath: String { directory + "/LOCK" }

    func sealedPath(_ seq: UInt64) -> String { directory + "/" + Self.sealedName(seq) }
    func activePath(_ seq: UInt64) -> String { directory + "/" + Self.activeName(seq) }

    static func sealedName(_ seq: UInt64) -> String { "seg-" + hex(seq) + ".zst" }
    static func activeName(_ seq: UInt64) -> String { "wal-" + hex(seq) + ".log" }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - s.count)) + s
    }

    enum Entry: Equatable {
        case sealed(UInt64)
        case active(UInt64)
        case temporary
        case other
    }

    static func classify(_ name: String) -> Entry {
        if name.contains(".tmp") { return .temporary }
        func seq(_ prefix: String, _ suffix: String) -> UInt64? {
            guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 16 + suffix.count else { return nil }
            return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count), radix: 16)
        }
        if let s = seq("seg-", ".zst") { return .sealed(s) }
        if let s = seq("wal-", ".log") { return .active(s) }
        return .other
    }

    /// Reads `FORMAT`; refuses a schema newer than `supported`. Nil when absent.
    func readSchema(supported: Int) throws(AlertStoreError) -> Int? {
        guard StoreFile.size(formatPath) != nil else { return nil }
        let text = String(decoding: try StoreFile.readAll(formatPath), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("schema ") }),
              let version = Int(line.dropFirst("schema ".count).trimmingCharacters()) else {
            throw .encoding(path: formatPath, detail: "not an alert store format file (expected a line 'schema N')")
        }
        guard version <= supported else { throw .newerSchema(path: formatPath, found: version, supported: supported) }
        return version
    }

    func writeSchema(_ version: Int) throws(AlertStoreError) {
        try StoreFile.writeDurably(Array("rationd alert store\nschema \(version)\n".utf8), to: formatPath)
    }

    /// Takes the exclusive writer lock; released when the descriptor is closed (or the process dies).
    /// A lock just released can stay held for a moment: a child forked by another thread of this
    /// process shares the lock's open file description until its `exec` closes it
    /// (`O_CLOEXEC`), so a busy lock is tried again for up to 250 ms before it is an error.
    func lock() throws(AlertStoreError) -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .fromErrno(lockPath, "open") }
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            attempts += 1
            if e == EWOULDBLOCK, attempts < 26 {
                usleep(10_000)
                continue
            }
            close(fd)
            if e == EWOULDBLOCK { throw .locked(path: lockPath) }
            throw .fromErrno(lockPath, "flock", e)
        }
        return fd
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s
    }
}
