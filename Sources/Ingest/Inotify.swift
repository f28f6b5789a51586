#if canImport(Glibc)
import Glibc
#endif

/// Directory watches through one non-blocking inotify descriptor. Events only wake the
/// reader and say whether directory contents changed; what changed is found by re-checking
/// paths, so a lost or overflowed event costs a rescan, never a line.
final class Inotify {
    let fd: Int32
    private var watches: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    /// Directories that could not be watched (inotify limits, unsupported filesystem).
    private(set) var failed: Set<String> = []

    /// Directory-structure events that require a rescan of the globs.
    static let structureMask: UInt32 = UInt32(IN_CREATE) | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO)
        | UInt32(IN_DELETE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_Q_OVERFLOW)
        | UInt32(IN_IGNORED)

    init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    var watchedDirectories: Dictionary<String, Int32>.Keys { watches.keys }

    /// Watches a directory for file growth and directory changes; false when that failed.
    @discardableResult
    func watch(directory: String) -> Bool {
        if watches[directory] != nil { return true }
        let mask = UInt32(IN_MODIFY) | UInt32(IN_CREATE) | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO)
            | UInt32(IN_DELETE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR)
        let wd = inotify_add_watch(fd, directory, mask)
        guard wd >= 0 else {
            failed.insert(directory)
            return false
        }
        failed.remove(directory)
        watches[directory] = wd
        return true
    }

    /// Forgets watches of directories that no longer exist (the kernel dropped them).
    func forget(directory: String) {
        if let wd = watches.removeValue(forKey: directory) { inotify_rm_watch(fd, wd) }
    }

    /// Reads every queued event; returns whether any of them changed directory contents.
    func drain() -> (any: Bool, structural: Bool) {
        var any = false
        var structural = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                break
            }
            any = true
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + 16 <= n {
                    let mask = raw.load(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = raw.load(fromByteOffset: offset + 12, as: UInt32.self)
                    if mask & Self.structureMask != 0 { structural = true }
                    offset += 16 + Int(length)
                }
            }
        }
        return (any, structural)
    }

    /// Waits until an event arrives or `milliseconds` pass.
    func wait(milliseconds: Int32) {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&pfd, 1, milliseconds)
    }
}
