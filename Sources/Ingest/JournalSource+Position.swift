import CSystemd
import RationCore
#if canImport(Glibc)
import Glibc
#endif

extension JournalSource {
    /// Places a freshly opened journal so that the next entry read is the first one not yet
    /// delivered: after the last delivered (or saved) cursor, else at the configured start.
    ///
    /// Resume follows `journalctl --after-cursor`: seek to the cursor, step onto the entry at
    /// or after it, and test whether that is the saved entry. When it is not (the saved entry
    /// was vacuumed), the entry under the read position is the first one to deliver.
    func position(_ journal: OpaquePointer) throws(IngestError) {
        if let cursor = resumeCursor {
            let r = cursor.withCString { sd_journal_seek_cursor(journal, $0) }
            if r < 0 {
                notify(.cursorUnusable(source: id.rawValue, cursor: cursor, reason: String(cString: strerror(-r)),
                                       fallback: Self.describe(configuration.fallback)))
                try seek(journal, to: configuration.fallback)
                return
            }
            let step = sd_journal_next(journal)
            if step < 0 { throw .journal(operation: "sd_journal_next", code: step, detail: "after seeking to cursor \(cursor)") }
            if step > 0 {
                let same = cursor.withCString { sd_journal_test_cursor(journal, $0) }
                if same <= 0 {
                    markCurrentPending()
                    notify(.savedEntryGone(source: id.rawValue, cursor: cursor))
                }
            }
            if !hasDelivered { notify(.resumed(source: id.rawValue, cursor: cursor)) }
            return
        }
        if startsAtFallback {
            try seek(journal, to: configuration.fallback)
            return
        }
        switch configuration.readFrom {
        case .head: try seek(journal, to: .head)
        case .tail: try seek(journal, to: .tail)
        }
        notify(.started(source: id.rawValue, position: configuration.readFrom == .head ? "the head of the journal" : "the tail of the journal (new entries only)"))
    }

    private func seek(_ journal: OpaquePointer, to fallback: JournalSourceConfiguration.FallbackPosition) throws(IngestError) {
        switch fallback {
        case .head:
            let r = sd_journal_seek_head(journal)
            if r < 0 { throw .journal(operation: "sd_journal_seek_head", code: r, detail: "") }
        case .tail:
            var r = sd_journal_seek_tail(journal)
            if r < 0 { throw .journal(operation: "sd_journal_seek_tail", code: r, detail: "") }
            // Stand on the last entry (already there, not delivered) so `next` yields only new ones.
            r = sd_journal_previous(journal)
            if r < 0 { throw .journal(operation: "sd_journal_previous", code: r, detail: "after seeking to the tail") }
        case let .maxAge(age):
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let nowMicro = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
            let since = UInt64(clamping: max(0, nowMicro - age.microseconds))
            let r = sd_journal_seek_realtime_usec(journal, since)
            if r < 0 { throw .journal(operation: "sd_journal_seek_realtime_usec", code: r, detail: "") }
        }
    }

    static func describe(_ fallback: JournalSourceConfiguration.FallbackPosition) -> String {
        switch fallback {
        case .head: "the head of the journal"
        case .tail: "the tail of the journal"
        case let .maxAge(age): "entries from the last \(age)"
        }
    }
}
