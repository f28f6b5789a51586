/// Something a `JournalSource` tells its operator: where it started, what it skipped, what it
/// is waiting for. Repeated warnings arrive rate-limited with the number left out since the last.
public enum JournalNotice: Sendable, CustomStringConvertible {
    case opened(source: String, journal: String)
    case resumed(source: String, cursor: String)
    /// The saved entry is gone (vacuumed); reading continues with the first entry after it.
    case savedEntryGone(source: String, cursor: String)
    /// The saved cursor cannot be used; reading starts at the fallback position.
    case cursorUnusable(source: String, cursor: String, reason: String, fallback: String)
    case started(source: String, position: String)
    case waitingForJournal(source: String, journal: String, reason: String)
    /// A journal file cannot be read and is skipped; `total` counts such skips so far.
    case corruptFile(source: String, path: String, reason: String, total: Int, suppressed: Int)
    /// An entry or a read failed; `total` counts them so far.
    case readError(source: String, reason: String, total: Int, suppressed: Int)
    /// A mapped journal file shrank under the reader; the bus error was absorbed.
    case busError(source: String, path: String?, address: UInt, total: Int)
    case reopening(source: String, reason: String)

    public var isWarning: Bool {
        switch self {
        case .opened, .resumed, .started: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case let .opened(source, journal):
            return "\(source): reading \(journal)"
        case let .resumed(source, cursor):
            return "\(source): resuming after cursor \(cursor)"
        case let .savedEntryGone(source, cursor):
            return "\(source): the saved entry \(cursor) is no longer in the journal (vacuumed); continuing with the first entry after it"
        case let .cursorUnusable(source, cursor, reason, fallback):
            return "\(source): saved cursor '\(cursor)' is unusable (\(reason)); starting at \(fallback)"
        case let .started(source, position):
            return "\(source): no checkpoint; starting at \(position)"
        case let .waitingForJournal(source, journal, reason):
            return "\(source): waiting for \(journal): \(reason)"
        case let .corruptFile(source, path, reason, total, suppressed):
            return "\(source): skipping unreadable journal file \(path): \(reason) (\(total) skipped so far\(Self.more(suppressed)))"
        case let .readError(source, reason, total, suppressed):
            return "\(source): \(reason) (\(total) so far\(Self.more(suppressed)))"
        case let .busError(source, path, address, total):
            let file = path ?? "a mapped journal file"
            return "\(source): \(file) shrank while mapped (bus error at 0x\(String(address, radix: 16)), \(total) so far); treating it as corrupt and reopening"
        case let .reopening(source, reason):
            return "\(source): reopening the journal: \(reason)"
        }
    }

    private static func more(_ suppressed: Int) -> String {
        suppressed > 0 ? ", \(suppressed) similar messages suppressed" : ""
    }
}

/// Spaces out repeated warnings of one kind: the first is emitted, the next ones only after
/// `interval`, carrying how many were held back.
struct JournalWarningLimiter {
    enum Kind: Hashable {
        case corruptFile, readError
    }

    let interval: Duration
    private var last: [Kind: ContinuousClock.Instant] = [:]
    private var held: [Kind: Int] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    /// The number of held-back warnings to report with this one, or nil to hold this one back.
    mutating func admit(_ kind: Kind, now: ContinuousClock.Instant = .now) -> Int? {
        if let previous = last[kind], now - previous < interval {
            held[kind, default: 0] += 1
            return nil
        }
        last[kind] = now
        defer { held[kind] = 0 }
        return held[kind] ?? 0
    }
}
