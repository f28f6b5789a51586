import CSystemd
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Opening, reopening and checking journal files.
extension JournalSource {
    /// Closes the journal; the next `nextBatch` reopens it where reading stopped.
    func reopen(reason: String) {
        closeJournal(reason: reason)
        nextOpenAttempt = .now
    }

    func closeJournal(reason: String?) {
        if let journal { sd_journal_close(journal) }
        journal = nil
        currentPending = false
        nextOpenAttempt = .now + configuration.reopenInterval
        if let reason {
            statistics.reopens += 1
            notify(.reopening(source: id.rawValue, reason: reason))
        }
    }

    func openIfDue() throws(IngestError) {
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

    func probeNewFilesIfDue() {
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
    func probe(_ files: [String]) {
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

    /// Fields up to one byte past `maxLineBytes` of message (so a longer message is known to
    /// be cut; the decoder cuts it in any case, the threshold being a hint), and the
    /// configured matches.
    private func prepare(_ journal: OpaquePointer) throws(IngestError) {
        var r = sd_journal_set_data_threshold(journal, JournalEntryDecoder.dataThreshold(maxMessageBytes: configuration.maxLineBytes))
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
