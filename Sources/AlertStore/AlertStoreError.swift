#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Everything the alert store can fail with; each case names the file involved.
public enum AlertStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A system call failed on `path`.
    case io(path: String, operation: String, errno: Int32)
    /// The disk is full: new alerts are refused, stored ones are kept; the next append retries.
    case diskFull(path: String)
    /// The store (or one of its files) was written by a newer rationd.
    case newerSchema(path: String, found: Int, supported: Int)
    /// Another process holds the store's write lock.
    case locked(path: String)
    /// The store was opened read-only.
    case readOnly(directory: String)
    /// The configuration cannot work (sizes, directory).
    case invalidConfiguration(String)
    /// A record could not be encoded or decoded.
    case encoding(path: String, detail: String)
    /// `label(id:)` on an alert the store does not hold.
    case notFound(AlertID)
    /// The store was closed.
    case closed(directory: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno):
            "\(path): \(operation) failed: \(String(cString: strerror(errno)))"
        case let .diskFull(path):
            "\(path): disk full: new alerts are refused until space is freed (stored alerts are kept; writes are retried)"
        case let .newerSchema(path, found, supported):
            "\(path): written by a newer rationd (store schema \(found), this build reads up to \(supported)); refusing to open"
        case let .locked(path):
            "\(path): the alert store is in use by another process (use read-only access while the daemon runs)"
        case let .readOnly(directory):
            "\(directory): alert store opened read-only"
        case let .invalidConfiguration(detail):
            "alert store configuration: \(detail)"
        case let .encoding(path, detail):
            "\(path): \(detail)"
        case let .notFound(id):
            "alert \(id) not found"
        case let .closed(directory):
            "\(directory): alert store is closed"
        }
    }

    static func fromErrno(_ path: String, _ operation: String, _ code: Int32 = errno) -> AlertStoreError {
        code == ENOSPC || code == EDQUOT ? .diskFull(path: path) : .io(path: path, operation: operation, errno: code)
    }
}
