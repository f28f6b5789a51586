#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A damaged state file the daemon set aside to keep running (a checkpoint, a snapshot, the
/// verdict cache), and what it fell back to. Kept in `RecoveryLog` until an operator
/// acknowledges it, so a silent loss of state is seen in `rationctl status`.
public struct Recovery: Sendable, Hashable, Codable {
    /// When it happened (µs since the epoch).
    public var time: Int64
    /// What the file was: `file checkpoint`, `journal checkpoint`, `miner snapshot`, …
    public var what: String
    public var path: String
    /// Where the damaged file now is; nil when it could not be moved.
    public var movedTo: String?
    /// Why it was unusable and what the daemon does instead.
    public var reason: String

    public init(time: Int64 = Int64(Date().timeIntervalSince1970 * 1_000_000), what: String, path: String, movedTo: String?, reason: String) {
        self.time = time
        self.what = what
        self.path = path
        self.movedTo = movedTo
        self.reason = reason
    }

    /// Renames `path` to `PATH.damaged-YYYYMMDDTHHMMSSZ` (not following a link at the target),
    /// so the damaged bytes are kept for inspection and never read again; nil when it cannot.
    public static func moveAside(_ path: String, at date: Date = Date()) -> String? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let aside = "\(path).damaged-\(formatter.string(from: date))"
        return rename(path, aside) == 0 ? aside : nil
    }
}
