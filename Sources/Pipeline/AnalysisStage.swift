import RationCore
import TemplateMiner
import Triage

/// Miner, sessionizers and triage, owned by the stage task: a value type without I/O or clock
/// (time comes with the records and with `advance`). One sessionizer per source, since each
/// source windows its own way (journal by unit, files by a captured id or by count).
struct AnalysisStage: Sendable {
    /// A closed window that triage escalated.
    struct Escalation: Sendable {
        var window: Window
        var suspicion: Suspicion
    }

    struct Lane: Sendable {
        var sessionizer: Sessionizer
        var ledger: CheckpointLedger
        var windowedPriority: Priority?
        /// Count windows: records of the last emitted window still shared with the next one.
        var overlap: UInt64?
        var closedThrough: UInt64 = 0
        var records = 0
        var lastRecordTime: EventTime?
        /// New templates this source may still create.
        var budget: NewTemplateBudget
        /// Lines that joined the source's overflow template.
        var overflowLines = 0

        /// Keyed sessions: every record fed before the oldest open session's first record is
        /// in no open window, whatever the records' times say (log times that stand still or
        /// run backwards would otherwise hold checkpoints until shutdown).
        mutating func noteKeyedProgress() {
            switch sessionizer.configuration.keying {
            case .capture, .field:
                if let oldest = sessionizer.oldestOpenSequence(), oldest > 0 {
                    closedThrough = max(closedThrough, oldest - 1)
                }
            case .countWindow, .timeWindow:
                break
            }
        }
    }

    var miner: TemplateMiner
    var triage: Triage
    private(set) var lanes: [SourceID: Lane] = [:]
    /// Windows escalated to reasoning and not yet stored, by ticket: they hold their source's
    /// checkpoint back.
    private(set) var pending: [UInt64: Escalation] = [:]
    private(set) var templateTimes = TemplateTimes()
    private(set) var windowsClosed = 0

    /// Why the miner (and so triage) started empty at start-up; nil when both were restored.
    let freshStart: String?

    init(miner: TemplateMiner, triage: Triage, freshStart: String? = nil) {
        self.miner = miner
        self.triage = triage
        self.freshStart = freshStart
    }

    mutating func addLane(_ id: SourceID, sessionizer: SessionizerConfiguration, windowedPriority: Priority?,
                          restored: [String: Checkpoint]) throws(TriageError) {
        var overlap: UInt64?
        if case let .countWindow(size, slide) = sessionizer.keying { overlap = UInt64(size - slide) }
        lanes[id] = Lane(sessionizer: try Sessionizer(configuration: sessionizer),
                         ledger: CheckpointLedger(restored: restored), windowedPriority: windowedPriority, overlap: overlap,
                         budget: NewTemplateBudget(perMinute: miner.configuration.maxNewTemplatesPerMinute))
    }

    /// A reload changed the source's settings: closes its open windows (returned for triage)
    /// and windows what comes next with `sessionizer`; its counters and checkpoints stay.
    mutating func restartLane(_ id: SourceID, sessionizer: SessionizerConfiguration,
                              windowedPriority: Priority?) throws(TriageError) -> [Escalation] {
        guard var lane = lanes[id] else { return [] }
        var escalations: [Escalation] = []
        assess(lane.sessionizer.flush(), into: &escalations)
        lane.closedThrough = lane.ledger.fedSequence
        lane.sessionizer = try Sessionizer(configuration: sessionizer)
        lane.windowedPriority = windowedPriority
        if case let .countWindow(size, slide) = sessionizer.keying { lane.overlap = UInt64(size - slide) } else { lane.overlap = nil }
        lanes[id] = lane
        return escalations
    }

    /// A reload removed the source: closes its open windows (returned for triage); call
    /// `removeLane` once its checkpoints were committed.
    mutating func closeLane(_ id: SourceID) -> [Escalation] {
        guard var lane = lanes[id] else { return [] }
        var escalations: [Escalation] = []
        assess(lane.sessionizer.flush(), into: &escalations)
        lane.closedThrough = lane.ledger.fedSequence
        lanes[id] = lane
        return escalations
    }

    mutating func removeLane(_ id: SourceID) { lanes[id] = nil }

    /// Mines and windows a batch of one source's records; returns the escalated windows that closed.
    mutating func ingest(_ records: [LogRecord], from source: SourceID) -> [Escalation] {
        guard var lane = lanes.removeValue(forKey: source) else { return [] }
        defer { lanes[source] = lane }
        var sequence = lane.ledger.fedSequence
        lane.ledger.feed(records)
        var escalations: [Escalation] = []
        for record in records {
            sequence += 1
            lane.records += 1
            lane.lastRecordTime = record.time
            let mined = miner.mine(record.message, budget: &lane.budget, at: record.time, source: source.rawValue)
            if mined.isOverflow { lane.overflowLines += 1 }
            templateTimes.saw(mined.templateID, at: record.time, isNew: mined.isNewTemplate)
            if let limit = lane.windowedPriority, let priority = record.fields.priority, priority > limit { continue }
            let closed = lane.sessionizer.add(record, templateID: mined.templateID,
                                              templateText: miner.template(for: mined.templateID) ?? "", sequence: sequence)
            if !closed.isEmpty, let overlap = lane.overlap, sequence > overlap {
                lane.closedThrough = sequence - overlap
            }
            assess(closed, into: &escalations)
        }
        lane.noteKeyedProgress()
        return escalations
    }

    /// Moves a source's time forward (it is idle and caught up): closes idle and old windows.
    mutating func advance(_ source: SourceID, to time: EventTime) -> [Escalation] {
        guard var lane = lanes.removeValue(forKey: source) else { return [] }
        defer { lanes[source] = lane }
        var escalations: [Escalation] = []
        assess(lane.sessionizer.advance(to: time), into: &escalations)
        lane.noteKeyedProgress()
        return escalations
    }

    /// Closes every open window (shutdown).
    mutating func flush() -> [Escalation] {
        var escalations: [Escalation] = []
        for source in lanes.keys.sorted() {
            var lane = lanes.removeValue(forKey: source)!
            assess(lane.sessionizer.flush(), into: &escalations)
            lane.closedThrough = lane.ledger.fedSequence
            lanes[source] = lane
        }
        return escalations
    }

    private mutating func assess(_ windows: [Window], into escalations: inout [Escalation]) {
        for window in windows {
            windowsClosed += 1
            let suspicion = triage.assess(window)
            if suspicion.escalated { escalations.append(Escalation(window: window, suspicion: suspicion)) }
        }
    }

    mutating func hold(ticket: UInt64, for escalation: Escalation) { pending[ticket] = escalation }

    /// The window of `ticket` is about to be stored; nil when it was not pending.
    @discardableResult
    mutating func release(ticket: UInt64) -> Escalation? { pending.removeValue(forKey: ticket) }

    /// Retires what is durable in every source's ledger (see `CheckpointLedger`); call after
    /// the alerts of every closed window were stored.
    mutating func settle() {
        var oldestPending: [SourceID: EventTime] = [:]
        for (_, p) in pending where oldestPending[p.window.source].map({ p.window.start < $0 }) ?? true {
            oldestPending[p.window.source] = p.window.start
        }
        for source in Array(lanes.keys) {
            var lane = lanes.removeValue(forKey: source)!
            let c = lane.sessionizer.configuration
            var timeBound: EventTime?
            switch c.keying {
            case .capture, .field:
                if let now = lane.sessionizer.now, let maxDuration = c.maxDuration {
                    timeBound = EventTime(microsecondsSinceEpoch: now.microsecondsSinceEpoch - maxDuration.microseconds)
                }
            case .countWindow, .timeWindow:
                break
            }
            lane.ledger.settle(quiescent: lane.sessionizer.openSessionCount == 0, closedThrough: lane.closedThrough,
                               timeBound: timeBound, oldestPendingStart: oldestPending[source])
            lanes[source] = lane
        }
    }

    /// Drops checkpoints of streams `source` stopped tracking.
    mutating func forget(_ streams: [Checkpoint], of source: SourceID) {
        lanes[source]?.ledger.forget(streams)
    }

    /// Safe checkpoints that changed since the last call, per source.
    mutating func takeCheckpoints() -> [SourceID: [String: Checkpoint]] {
        var result: [SourceID: [String: Checkpoint]] = [:]
        for source in Array(lanes.keys) {
            if let changed = lanes[source]!.ledger.takeDirty() { result[source] = changed }
        }
        return result
    }

    /// Forgets first/last-seen times of templates the miner evicted.
    mutating func pruneTemplateTimes() { templateTimes.keep { miner.template(for: $0) != nil } }
}

/// When each template was first and last seen, and how many templates are new this hour.
struct TemplateTimes: Sendable {
    private(set) var seen: [TemplateID: (first: EventTime, last: EventTime)] = [:]
    /// New-template counts per minute over the last hour (ring indexed by minute).
    private var newPerMinute = [Int](repeating: 0, count: 60)
    private var minuteOf = [Int64](repeating: -1, count: 60)

    mutating func saw(_ id: TemplateID, at time: EventTime, isNew: Bool) {
        if let s = seen[id] {
            seen[id] = (s.first, max(s.last, time))
        } else {
            seen[id] = (time, time)
        }
        if isNew {
            let minute = time.microsecondsSinceEpoch / 60_000_000
            let slot = Int(((minute % 60) + 60) % 60)
            if minuteOf[slot] != minute {
                minuteOf[slot] = minute
                newPerMinute[slot] = 0
            }
            newPerMinute[slot] += 1
        }
    }

    func newInLastHour(now: EventTime) -> Int {
        let minute = now.microsecondsSinceEpoch / 60_000_000
        return (0..<60).reduce(0) { sum, slot in minute - minuteOf[slot] < 60 && minuteOf[slot] >= 0 ? sum + newPerMinute[slot] : sum }
    }

    mutating func keep(_ isKept: (TemplateID) -> Bool) { seen = seen.filter { isKept($0.key) } }
}
