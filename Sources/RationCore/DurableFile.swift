#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file replacement: write a temp file, fsync it, rename over the target,
/// fsync the directory. A reader sees the old contents or the new, never a torn mix.
public enum DurableFile {
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o640) throws(DurableFileError) {
        let directory = parentDirectory(of: path)
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw DurableFileError(path: temp, operation: "open", errno: errno) }
        var failure = writeAll(Array(bytes), to: fd).map { DurableFileError(path: temp, operation: "write", errno: $0) }
        if failure == nil, fsync(fd) != 0 { failure = DurableFileError(path: temp, operation: "fsync", errno: errno) }
        close(fd)
        if let failure {
            unlink(temp)
            throw failure
        }
        guard rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw DurableFileError(path: path, operation: "rename", errno: e)
        }
        try syncDirectory(directory)
    }

    /// Appends `bytes` to an existing file and syncs it; false (nothing written) when the file
    /// does not exist. A failure can leave part of `bytes` at the end of the file.
    public static func append(_ bytes: [UInt8], to path: String) throws(DurableFileError) -> Bool {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw DurableFileError(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        if let e = writeAll(bytes, to: fd) { throw DurableFileError(path: path, operation: "write", errno: e) }
        guard fsync(fd) == 0 else { throw DurableFileError(path: path, operation: "fsync", errno: errno) }
        return true
    }

    /// Writes all of `bytes` to `fd`, through short writes and EINTR; the errno of a failed
    /// write, or nil.
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw -> Int32? in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }

    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String) throws(DurableFileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw DurableFileError(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DurableFileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    public static func syncDirectory(_ directory: String) throws(DurableFileError) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw DurableFileError(path: directory, operation: "open directory", errno: errno) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw DurableFileError(path: directory, operation: "fsync directory", errno: errno) }
    }

    /// Creates `path` and its parents (mode 0750) when missing.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(DurableFileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0, errno != EEXIST {
                throw DurableFileError(path: current, operation: "mkdir", errno: errno)
            }
        }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

public struct DurableFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var errno: Int32
    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }
    public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(errno)))" }
}
