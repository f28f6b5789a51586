#if canImport(Glibc)
import Glibc
#endif

/// Whether standard error is the journal stream systemd connected the service to: systemd sets
/// `JOURNAL_STREAM` to that stream's `device:inode`, and a match (not just the variable, which
/// children inherit after a redirect) means journald reads what is written there.
package enum JournalStream {
    package static func isStandardError(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(STDERR_FILENO, &st) == 0 else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }
}
