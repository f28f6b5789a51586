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
    public private(set) var statistics = JournalSourceStatistics()

    let notify: @Sendable (JournalNotice) -> Void
    private var journal: OpaquePointer?
    private var decoder: JournalEntryDecoder
    private var limiter: JournalWarningLimiter
    /// Cursor from the checkpoint the source was created with; used until something is
    /// consumed, dropped when unusable.
    var savedCursor: String?
    /// The checkpoint was unusable: without a cursor, start at the fallback, not at `readFrom`.
    let startsAtFallback: Bool
    /// Cursor of the last entry the source is past (handed out, or stood on at the tail);
    /// a reopen resumes after it.
    private var consumedCursor: String?
    /// Where a reopen starts while no cursor was consumed (see `JournalRestartPoint`).
    var restartPoint: JournalRestartPoint?
    /// The journal is positioned on an entry that was not delivered yet.
    private var currentPending = false
    private var nextOpenAttempt = ContinuousClock.now
    private var busFaultsSeen: UInt64
    /// Files left out of a `.files` source because they cannot be opened.
    private var excludedFiles: Set<String> = []
    /// Files of a directory, namespace or local source already checked by `probe`.
    private var probedFiles: Set<String> = []
    private var nextProbe = ContinuousClock.now
    /// The wait for a missing journal was reported (once per wait).
    private var waitingReported = false

    /// Creates the source and tries to open the journal at once. A missing journal is waited
    /// for (the source retries every `reopenInterval`); a permission problem or an invalid
    /// configuration throws.
    public init(configuration: JournalSourceConfiguration, checkpoint: Checkpoint? = nil,
                notify: @escaping @Sendable (JournalNotice) -> Void = JournalSource.printNotice) throws(IngestError) {
        try configuration.validate()
        self.id = configuration.id
        self.configuration = configuration
        self.notify = notify
        self.decoder = JournalEntryDecoder(source: configuration.id)
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
                close(reason: "waiting for changes failed")
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
                close(reason: "reading failed")
                break
            }
            if r == 0 { break }
            do {
                let record = try decoder.decode(journal)
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
    private func busFaulted() -> Bool {
        let count = JournalBusErrorGuard.faultCount
        guard count != busFaultsSeen else { return false }
        for index in busFaultsSeen..<count {
            let address = JournalBusErrorGuard.faultAddress(index) ?? 0
            let path = JournalBusErrorGuard.faultPath(index)
            statistics.busErrors += 1
            notify(.busError(source: id.rawValue, path: path, address: address, total: statistics.busErrors))
        }
        busFaultsSeen = count
        close(reason: nil)
        nextOpenAttempt = .now
        return true
    }

    private func reportReadError(_ reason: String) {
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

    // MARK: Opening

    /// Closes the journal; the next `nextBatch` reopens it where reading stopped.
    func reopen(reason: String) {
        close(reason: reason)
        nextOpenAttempt = .now
    }

    private func close(reason: String?) {
        if let journal { sd_journal_close(journal) }
        journal = nil
        currentPending = false
        nextOpenAttempt = .now + configuration.reopenInterval
        if let reason {
            statistics.reopens += 1
            notify(.reopening(source: id.rawValue, reason: reason))
        }
    }

    private func openIfDue() throws(IngestError) {
        guard journal == nil, ContinuousClock.now >= nextOpenAttempt else { return }
        nextOpenAttempt = .now + configuration.reopenInterval
        let inventory = JournalFileInventory.scan(configuration.open)
        if let denied = inventory.unreadable.first {
            throw .permission(path: denied, hint: Self.permissionHint)
        }
        if inventory.files.isEmpty {
            // Whatever a journal that appears later holds was written after the source started:
            // a tail start becomes a head start.
            let startsAtTail = startsAtFallback ? configuration.fallback == .tail : configuration.readFrom == .tail
            if statistics.opens == 0, resumeCursor == nil, restartPoint == nil, startsAtTail { restartPoint = .head }
            if !waitingReported {
                waitingReported = true
                notify(.waitingForJournal(source: id.rawValue, journal: inventory.roots.joined(separator: ", "),
                                          reason: "no journal files yet"))
            }
            return
        }
        if case .files = configuration.open {} else { probe(inventory.files) }
        let opened = try openJournal(inventory)
        guard let opened else { return }
        waitingReported = false
        journal = opened
        do {
            try prepare(opened)
            try position(opened)
        } catch {
            sd_journal_close(opened)
            journal = nil
            throw error
        }
        // Watching starts now, so nothing appended from here on is missed.
        _ = sd_journal_get_fd(opened)
        busFaultsSeen = JournalBusErrorGuard.faultCount
        if statistics.opens == 0 {
            notify(.opened(source: id.rawValue, journal: describe(configuration.open)))
        }
        statistics.opens += 1
    }

    static let permissionHint = "rationd needs read access to the journal: run it as root, or add its user to the 'systemd-journal' group (usermod -aG systemd-journal USER, or SupplementaryGroups=systemd-journal in the unit)"

    private func openJournal(_ inventory: JournalFileInventory) throws(IngestError) -> OpaquePointer? {
        var handle: OpaquePointer?
        var r: Int32
        let what = describe(configuration.open)
        switch configuration.open {
        case .local:
            r = sd_journal_open(&handle, Int32(SD_JOURNAL_LOCAL_ONLY))
        case let .directory(path):
            r = sd_journal_open_directory(&handle, path, 0)
        case let .namespace(name):
            r = sd_journal_open_namespace(&handle, name, Int32(SD_JOURNAL_LOCAL_ONLY))
        case .files:
            var candidates = inventory.files.filter { !excludedFiles.contains($0) }
            r = Self.openFiles(candidates, into: &handle)
            if r < 0, r != -EACCES, r != -EPERM {
                // sd_journal_open_files fails as a whole for one bad file: find and leave out the bad ones.
                for path in candidates {
                    var probe: OpaquePointer?
                    let pr = Self.openFiles([path], into: &probe)
                    if let probe { sd_journal_close(probe) }
                    if pr < 0 { excludeCorrupt(path, reason: String(cString: strerror(-pr))) }
                }
                candidates = candidates.filter { !excludedFiles.contains($0) }
                if candidates.isEmpty {
                    notify(.waitingForJournal(source: id.rawValue, journal: what, reason: "no readable journal file"))
                    return nil
                }
                r = Self.openFiles(candidates, into: &handle)
            }
        }
        if r == -EACCES || r == -EPERM { throw .permission(path: what, hint: Self.permissionHint) }
        if r == -ENOENT {
            notify(.waitingForJournal(source: id.rawValue, journal: what, reason: "not found"))
            return nil
        }
        if r < 0 { throw .journal(operation: "open \(what)", code: r, detail: "") }
        return handle
    }

    private static func openFiles(_ paths: [String], into handle: inout OpaquePointer?) -> Int32 {
        var pointers: [UnsafePointer<CChar>?] = paths.map { UnsafePointer(strdup($0)) }
        pointers.append(nil)
        defer { for p in pointers { free(UnsafeMutablePointer(mutating: p)) } }
        return sd_journal_open_files(&handle, &pointers, 0)
    }

    private func probeNewFilesIfDue() {
        if case .files = configuration.open { return }
        let now = ContinuousClock.now
        guard now >= nextProbe else { return }
        nextProbe = now + configuration.reopenInterval
        probe(JournalFileInventory.scan(configuration.open).files)
    }

    /// sd-journal skips a directory's files it cannot open without a word; open each new one
    /// alone first so the operator hears which file is skipped and why.
    /// A file modified in the last two seconds may be one journald is still creating; it is
    /// checked again on a later pass rather than reported.
    private func probe(_ files: [String]) {
        for path in files where !probedFiles.contains(path) {
            var handle: OpaquePointer?
            let r = Self.openFiles([path], into: &handle)
            if let handle { sd_journal_close(handle) }
            if r == -ENOENT { continue }
            if r < 0, Self.modifiedRecently(path) { continue }
            probedFiles.insert(path)
            if r < 0 { excludeCorrupt(path, reason: String(cString: strerror(-r))) }
        }
    }

    private static func modifiedRecently(_ path: String) -> Bool {
        var info = stat()
        var now = timespec()
        guard stat(path, &info) == 0, clock_gettime(CLOCK_REALTIME, &now) == 0 else { return false }
        return now.tv_sec - info.st_mtim.tv_sec < 2
    }

    private func excludeCorrupt(_ path: String, reason: String) {
        guard excludedFiles.insert(path).inserted else { return }
        statistics.corruptFiles += 1
        if let held = limiter.admit(.corruptFile) {
            notify(.corruptFile(source: id.rawValue, path: path, reason: reason, total: statistics.corruptFiles, suppressed: held))
        }
    }

    private func describe(_ mode: JournalSourceConfiguration.OpenMode) -> String {
        switch mode {
        case .local: "the local journal"
        case let .directory(path): "journal directory \(path)"
        case let .files(paths): "journal files \(paths.joined(separator: ", "))"
        case let .namespace(name): "journal namespace \(name)"
        }
    }

    /// Full-length fields and the configured matches.
    private func prepare(_ journal: OpaquePointer) throws(IngestError) {
        var r = sd_journal_set_data_threshold(journal, 0)
        if r < 0 { throw .journal(operation: "sd_journal_set_data_threshold", code: r, detail: "") }
        for match in try JournalMatches(configuration).terms {
            switch match {
            case let .field(text):
                r = text.withCString { sd_journal_add_match(journal, $0, 0) }
                if r < 0 { throw .journal(operation: "sd_journal_add_match", code: r, detail: text) }
            case .or:
                r = sd_journal_add_disjunction(journal)
                if r < 0 { throw .journal(operation: "sd_journal_add_disjunction", code: r, detail: "") }
            case .and:
                r = sd_journal_add_conjunction(journal)
                if r < 0 { throw .journal(operation: "sd_journal_add_conjunction", code: r, detail: "") }
            }
        }
    }
}

/// Counters a `JournalSource` keeps for its operator and its tests.
public struct JournalSourceStatistics: Sendable, Hashable {
    public var entriesDelivered = 0
    /// Entries that could not be read and were skipped.
    public var entriesSkipped = 0
    public var readErrors = 0
    /// Journal files left out because they cannot be opened.
    public var corruptFiles = 0
    public var busErrors = 0
    public var opens = 0
    public var reopens = 0
    public init() {}
}
