import CSystemd
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Where a source without a consumed cursor starts again when it reopens the journal: the
/// same point it first started from, so nothing written in between is skipped.
enum JournalRestartPoint: Equatable {
    case head
    /// Entries at or after this wall-clock time (µs since the epoch).
    case realtime(UInt64)
}

extension JournalSource {
    /// Places a freshly opened journal so that the next entry read is the first one not yet
    /// consumed: after the last consumed (or saved) cursor, else where the source first
    /// started, else at the configured start.
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
                savedCursor = nil
                try start(journal, at: configuration.fallback)
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
            if statistics.opens == 0 { notify(.resumed(source: id.rawValue, cursor: cursor)) }
            return
        }
        if let restartPoint {
            try seek(journal, to: restartPoint)
            return
        }
        if startsAtFallback {
            try start(journal, at: configuration.fallback)
            return
        }
        switch configuration.readFrom {
        case .head: try start(journal, at: .head)
        case .tail: try start(journal, at: .tail)
        }
        notify(.started(source: id.rawValue, position: configuration.readFrom == .head
            ? "the head of the journal" : "the tail of the journal (new entries only)"))
    }

    /// Seeks to a configured position and remembers it for reopening: the entry the tail
    /// stands on becomes the consumed cursor; an empty journal's tail, the head.
    private func start(_ journal: OpaquePointer, at position: JournalSourceConfiguration.FallbackPosition) throws(IngestError) {
        switch position {
        case .head:
            try seek(journal, to: .head)
            restartPoint = .head
        case .tail:
            var r = sd_journal_seek_tail(journal)
            if r < 0 { throw .journal(operation: "sd_journal_seek_tail", code: r, detail: "") }
            // Stand on the last entry (not delivered) so `next` yields only new ones.
            r = sd_journal_previous(journal)
            if r < 0 { throw .journal(operation: "sd_journal_previous", code: r, detail: "after seeking to the tail") }
            var cursor: UnsafeMutablePointer<CChar>?
            if r > 0, sd_journal_get_cursor(journal, &cursor) >= 0, let cursor {
                markConsumed(String(cString: cursor))
                free(cursor)
            } else {
                restartPoint = .head
            }
        case let .maxAge(age):
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let nowMicro = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
            let since = JournalRestartPoint.realtime(UInt64(clamping: max(0, nowMicro - age.microseconds)))
            try seek(journal, to: since)
            restartPoint = since
        }
    }

    private func seek(_ journal: OpaquePointer, to point: JournalRestartPoint) throws(IngestError) {
        switch point {
        case .head:
            let r = sd_journal_seek_head(journal)
            if r < 0 { throw .journal(operation: "sd_journal_seek_head", code: r, detail: "") }
        case let .realtime(usec):
            let r = sd_journal_seek_realtime_usec(journal, usec)
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
