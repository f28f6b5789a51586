#if canImport(Glibc)
import Glibc
#endif

/// Every failure of the Ingest module, with the file, journal or key it concerns.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    /// An sd-journal call failed (`code` is the negative errno it returned).
    case journal(operation: String, code: Int32, detail: String)
    /// A file operation failed.
    case file(path: String, operation: String, errno: Int32)
    /// Access denied; `hint` tells the operator what to change (group membership, mode).
    case permission(path: String, hint: String)
    /// The checkpoint file is unreadable or inconsistent.
    case checkpoint(path: String, reason: String)
    /// A source was configured in a way that cannot work.
    case configuration(key: String, reason: String)

    public var description: String {
        switch self {
        case let .journal(operation, code, detail):
            let reason = String(cString: strerror(-code))
            return "journal: \(operation) failed: \(reason)\(detail.isEmpty ? "" : " (\(detail))")"
        case let .file(path, operation, errno):
            return "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        case let .permission(path, hint):
            return "\(path): permission denied; \(hint)"
        case let .checkpoint(path, reason):
            return "checkpoint \(path): \(reason)"
        case let .configuration(key, reason):
            return "source configuration \(key): \(reason)"
        }
    }
}
