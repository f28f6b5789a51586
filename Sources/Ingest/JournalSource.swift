import CSystemd
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads systemd-journald's journal through sd-journal and follows it: matches (units,
/// identifiers, priority, boot) are applied by sd-journal, new entries are awaited with
/// `sd_journal_wait`, and rotation or vacuum (INVALIDATE) keep the read position. Resumes
/// from a saved cursor without skipping an entry, and survives a missing journal (waits), a
/// corrupt file (skips it, counted and rate-limited) and a file truncated under its mapping
/// (SIGBUS guard). Owned by one thread.
public final class JournalSource: LogSource {
    public let id: SourceID
    public let configuration: JournalSourceConfiguration
    public internal(set) var statistics = JournalSourceStatistics()

    let notify: @Sendable (JournalNotice) -> Void
    var journal: OpaquePointer?
    var decoder: JournalEntryDecoder
    var limiter: JournalWarningLimiter
    /// Cursor from the checkpoint the source was created with; used until something is
    /// consumed, dropped when unusable.
    var savedCursor: String?
    /// The checkpoint was unusable: without a cursor, start at the fallback, not at `readFrom`.
    let startsAtFallback: Bool
    /// Cursor of the last entry the source is past (handed out, or stood on at the tail);
    /// a reopen resumes after it.
    var consumedCursor: String?
    /// Where a reopen starts while no cursor was consumed (see `JournalRestartPoint`).
    var restartPoint: JournalRestartPoint?
    /// The journal is positioned on an entry that was not delivered yet.
    var currentPending = false
    var nextOpenAttempt = ContinuousClock.now
    var busFaultsSeen: UInt64
    /// Files left out of a `.files` source because they cannot be opened.
    var excludedFiles: Set<String> = []
    /// Files of a directory, namespace or local source already checked by `probe`.
    var probedFiles: Set<String> = []
    var nextProbe = ContinuousClock.now
    /// The wait for a missing journal was reported (once per wait).
    var waitingReported = false

    /// Creates the source and tries to open the journal at once. A missing journal is waited
    /// for (the source retries every `reopenInterval`); a permission problem or an invalid
    /// configuration throws.
    public init(configuration: JournalSourceConfiguration, checkpoint: Checkpoint? = nil,
                notify: @escaping @Sendable (JournalNotice) -> Void = JournalSource.printNotice) throws(IngestError) {
        try configuration.validate()
        self.id = configuration.id
        self.configuration = configuration
        self.notify = notify
        self.decoder = JournalEntryDecoder(source: configuration.id, maxMessageBytes: configuration.maxLineBytes,
                                           own: OwnJournalEntries.current())
        self.limiter = JournalWarningLimiter(interval: configuration.warningInterval)
        switch checkpoint?.position {
        case let .journalCursor(cursor)?:
            self.savedCursor = cursor
            self.startsAtFallback = false
        case .file?:
            self.savedCursor = nil
            self.startsAtFallback = true
            notify(.cursorUnusable(source: configuration.id.rawValue, cursor: "(file position)",
                                   reason: "the checkpoint belongs to a file source",
                                   fallback: Self.describe(configuration.fallback)))
        case nil:
            self.savedCursor = nil
            self.startsAtFallback = false
        }
        try JournalBusErrorGuard.install()
        self.busFaultsSeen = JournalBusErrorGuard.faultCount
        try openIfDue()
    }

    deinit {
        if let journal { sd_journal_close(journal) }
    }

    /// Prints a notice to standard error (the default `notify`).
    @Sendable public static func printNotice(_ notice: JournalNotice) {
        let line = (notice.isWarning ? "warning: " : "") + notice.description + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    /// Where a (re)opened journal resumes: after the last consumed entry, else the saved one.
    var resumeCursor: String? { consumedCursor ?? savedCursor }
    func markConsumed(_ cursor: String) { consumedCursor = cursor }
    func markCurrentPending() { currentPending = true }

    /// Whether a journal is open (false while waiting for a missing one).
    public var isOpen: Bool { journal != nil }

    public func nextBatch(maxRecords: Int, timeout: Duration) throws(IngestError) -> [LogRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            if journal == nil {
                try openIfDue()
                if journal == nil {
                    let now = ContinuousClock.now
                    if now >= deadline { return [] }
                    sleep(until: min(deadline, nextOpenAttempt))
                    continue
                }
            }
            let batch = readAvailable(maxRecords: max(1, maxRecords))
            if !batch.isEmpty { return batch }
            guard let journal else { continue }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return [] }
            let r = sd_journal_wait(journal, UInt64(clamping: remaining.microseconds))
            if r == -EINTR { return [] }   // a signal: let the caller look at it
            if r < 0 {
                reportReadError("sd_journal_wait failed: \(String(cString: strerror(-r)))")
                closeJournal(reason: "waiting for changes failed")
            } else if r != Int32(SD_JOURNAL_NOP) {
                // Something changed (appends, rotation, vacuum; sd-journal keeps the read
                // position). New files are checked, at most once per reopen interval, so a bad
                // one is reported rather than skipped silently (sd-journal signals nothing then).
                probeNewFilesIfDue()
            }
        }
    }

    // MARK: Reading

    private func readAvailable(maxRecords: Int) -> [LogRecord] {
        guard let journal else { return [] }
        var batch: [LogRecord] = []
        batch.reserveCapacity(min(maxRecords, 4096))
        while batch.count < maxRecords {
            let r: Int32
            if currentPending {
                currentPending = false
                r = 1
            } else {
                r = sd_journal_next(journal)
            }
            if busFaulted() { break }
            if r < 0 {
                reportReadError("sd_journal_next failed: \(String(cString: strerror(-r)))")
                closeJournal(reason: "reading failed")
                break
            }
            if r == 0 { break }
            do {
                guard let record = try decoder.decode(journal) else {
                    statistics.ownEntriesSkipped += 1
                    continue
                }
                if busFaulted() { break }
                if case let .journalCursor(cursor)? = record.checkpoint?.position { consumedCursor = cursor }
                batch.append(record)
            } catch {
                if busFaulted() { break }
                statistics.entriesSkipped += 1
                switch error {
                case let .journal(operation, code):
                    reportReadError("skipping an unreadable entry: \(operation) failed: \(String(cString: strerror(-code)))")
                case let .noMessage(cursor):
                    reportReadError("skipping entry \(cursor): no readable MESSAGE field (corrupt data object)")
                }
            }
        }
        statistics.entriesDelivered += batch.count
        return batch
    }

    /// True when the SIGBUS guard absorbed a fault since the last check; the journal is then
    /// closed (what was read from the zeroed page is dropped) and reopened after the last
    /// delivered entry, where sd-journal sees the truncated file's real size.
    func busFaulted() -> Bool {
        let count = JournalBusErrorGuard.faultCount
        guard count != busFaultsSeen else { return false }
        for index in busFaultsSeen..<count {
            let address = JournalBusErrorGuard.faultAddress(index) ?? 0
            let path = JournalBusErrorGuard.faultPath(index)
            statistics.busErrors += 1
            notify(.busError(source: id.rawValue, path: path, address: address, total: statistics.busErrors))
        }
        busFaultsSeen = count
        closeJournal(reason: nil)
        nextOpenAttempt = .now
        return true
    }

    func reportReadError(_ reason: String) {
        statistics.readErrors += 1
        if let held = limiter.admit(.readError) {
            notify(.readError(source: id.rawValue, reason: reason, total: statistics.readErrors, suppressed: held))
        }
    }

    private func sleep(until instant: ContinuousClock.Instant) {
        let interval = instant - .now
        guard interval > .zero else { return }
        let micro = interval.microseconds
        var request = timespec(tv_sec: Int(micro / 1_000_000), tv_nsec: Int(micro % 1_000_000) * 1000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
