#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// The few POSIX file operations the store needs, with errors that name the file.
enum StoreFile {
    static func readAll(_ path: String) throws(AlertStoreError) -> [UInt8] {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw .fromErrno(error.path, error.operation, error.errno) }
        guard let bytes else { throw .io(path: path, operation: "open", errno: ENOENT) }
        return bytes
    }

    static func pread(_ path: String, offset: Int, count: Int) throws(AlertStoreError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fromErrno(path, "open") }
        defer { close(fd) }
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = result.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .fromErrno(path, "read")
            }
            if n == 0 { break }
            done += n
        }
        if done < count { result.removeSubrange(done...) }
        return result
    }

    /// Writes all of `bytes[range]` at the current offset of `fd`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ range: Range<Int>? = nil, path: String) throws(AlertStoreError) {
        let r = range ?? 0..<bytes.count
        var offset = r.lowerBound
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while offset < r.upperBound {
                let n = write(fd, raw.baseAddress! + offset, r.upperBound - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if failure != 0 { throw .fromErrno(path, "write", failure) }
    }

    static func size(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Names in a directory (without `.` and `..`).
    static func list(_ directory: String) throws(AlertStoreError) -> [String] {
        guard let dir = opendir(directory) else { throw .fromErrno(directory, "opendir") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func syncDirectory(_ directory: String) throws(AlertStoreError) {
        do { try DurableFile.syncDirectory(directory) } catch { throw .fromErrno(error.path, error.operation, error.errno) }
    }

    static func writeDurably(_ bytes: [UInt8], to path: String) throws(AlertStoreError) {
        do { try DurableFile.write(bytes, to: path) } catch { throw .fromErrno(error.path, error.operation, error.errno) }
    }

    static func unlink(_ path: String) throws(AlertStoreError) {
        if Glibc.unlink(path) != 0 && errno != ENOENT { throw .fromErrno(path, "unlink") }
    }
}
