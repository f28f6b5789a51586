import RationCore

/// Decides, for one source, which checkpoints are safe to save: a checkpoint may be saved only
/// once every record up to it is durable downstream, that is, each window holding one of those
/// records was closed and its alert stored (or it produced none). At-least-once: after a crash
/// the records after the saved checkpoint are read again; none is ever skipped.
///
/// The sessionizer does not say which records its open windows hold, so the rule works on what
/// it guarantees instead. Records enter in feed order; each fed batch becomes one entry with
/// the running maximum of record times so far (`horizon`) and the last checkpoint of each
/// stream (a journal, or one file of a glob) in it. An entry is done when:
/// - the sessionizer holds no open window (everything fed is closed), or
/// - its sequence number is at most `closedThrough` (count windows: every record up to the
///   last emitted window's end, less the overlap of sliding windows, is in no open window;
///   keyed sessions: every record before the first record of the oldest open session), or
/// - its horizon is older than `timeBound` (keyed sessions close at the latest `maxDuration`
///   after they open, and a window opened by a record fed earlier opened no later than that
///   record's horizon),
/// and in every case its horizon is older than the start of every window still waiting for a
/// verdict (a pending window's records are all at or after its start). Done entries leave the
/// ledger in order; their checkpoints become the safe ones.
struct CheckpointLedger: Sendable {
    struct Entry: Sendable {
        var lastSequence: UInt64
        var horizon: EventTime
        var checkpoints: [String: Checkpoint]
    }

    private(set) var entries: [Entry] = []
    private var head = 0
    private(set) var horizon = EventTime(microsecondsSinceEpoch: .min)
    private(set) var fedSequence: UInt64 = 0
    /// The newest safe checkpoint of each stream, and whether it changed since `takeDirty`.
    private(set) var safe: [String: Checkpoint] = [:]
    private(set) var dirty = false

    init(restored: [String: Checkpoint] = [:]) { safe = restored }

    /// Records the fed batch (in feed order). Returns the sequence number of its last record.
    @discardableResult
    mutating func feed(_ records: some Sequence<LogRecord>) -> UInt64 {
        var checkpoints: [String: Checkpoint] = [:]
        var count: UInt64 = 0
        for record in records {
            count += 1
            if record.time > horizon { horizon = record.time }
            if let checkpoint = record.checkpoint { checkpoints[Self.stream(of: checkpoint)] = checkpoint }
        }
        guard count > 0 else { return fedSequence }
        fedSequence += count
        entries.append(Entry(lastSequence: fedSequence, horizon: horizon, checkpoints: checkpoints))
        return fedSequence
    }

    var pendingEntries: Int { entries.count - head }

    /// The newest checkpoint of each stream fed so far, durable or not: where a reader that
    /// replaces the source's reader continues without reading anything twice.
    var latest: [String: Checkpoint] {
        var result = safe
        for entry in entries[head...] { result.merge(entry.checkpoints) { _, newer in newer } }
        return result
    }

    /// Retires every entry that is done (see the type's note).
    mutating func settle(quiescent: Bool, closedThrough: UInt64, timeBound: EventTime?, oldestPendingStart: EventTime?) {
        while head < entries.count {
            let entry = entries[head]
            if let oldestPendingStart, entry.horizon >= oldestPendingStart { break }
            let closed = quiescent || entry.lastSequence <= closedThrough || (timeBound.map { entry.horizon < $0 } ?? false)
            guard closed else { break }
            for (stream, checkpoint) in entry.checkpoints { safe[stream] = checkpoint }
            if !entry.checkpoints.isEmpty { dirty = true }
            head += 1
        }
        if head > 256, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// Drops the streams a source stopped tracking (their files are gone), from the safe
    /// checkpoints and from every entry not retired yet. Sources report this in feed order, so
    /// every checkpoint of such a stream fed so far is the old stream's; a later stream that
    /// reuses the key (inode reuse) is fed after and kept.
    mutating func forget(_ checkpoints: [Checkpoint]) {
        for checkpoint in checkpoints {
            let stream = Self.stream(of: checkpoint)
            if safe.removeValue(forKey: stream) != nil { dirty = true }
            for i in entries.indices[head...] where entries[i].checkpoints[stream] != nil {
                entries[i].checkpoints[stream] = nil
            }
        }
    }

    /// The safe checkpoints when they changed since the last call.
    mutating func takeDirty() -> [String: Checkpoint]? {
        guard dirty else { return nil }
        dirty = false
        return safe
    }

    /// A journal has one stream; each file of a file source is its own stream.
    static func stream(of checkpoint: Checkpoint) -> String {
        switch checkpoint.position {
        case .journalCursor: "journal"
        case let .file(position): "\(position.device):\(position.inode)"
        }
    }
}
