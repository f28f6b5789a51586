import RationCore

/// Groups mined records into windows: keyed sessions (a captured id or a record field) closed
/// by idleness, length or age, or count/time windows over keyless streams.
///
/// A value type with no clock: time comes from record times and `advance(to:)`, and only moves
/// forward (a late record joins its window but does not move time back). Memory is bounded by
/// `maxOpenSessions` windows of at most `maxEventsKept` events each.
public struct Sessionizer: Sendable {
    public let configuration: SessionizerConfiguration
    public private(set) var statistics = SessionizerStatistics()
    /// The latest time seen in a record or `advance(to:)`.
    public private(set) var now: EventTime?
    /// The sequence number of the record being added.
    private var currentSequence: UInt64 = 0

    private var table = SessionTable()
    private var countWindows: [SourceID: CountWindowState] = [:]
    private var timeWindows: [SourceID: SessionTable.Session] = [:]
    private var texts = TemplateTextCache()
    /// The capture pattern's scanner, when it has the fast shape (most keyed configurations).
    private let keyScanner: KeyPrefixScanner?
    /// `idleGap` and `maxDuration` in microseconds, rounded up: record times are whole
    /// microseconds, so `elapsed >= these` is exactly `Duration(elapsed) >= limit`, checked
    /// for every record without Duration arithmetic.
    private let idleGapMicroseconds: Int64?
    private let maxDurationMicroseconds: Int64?

    public init(configuration: SessionizerConfiguration) throws(TriageError) {
        try configuration.validate()
        self.configuration = configuration
        if case .capture(let pattern) = configuration.keying { keyScanner = pattern.prefixScanner } else { keyScanner = nil }
        idleGapMicroseconds = configuration.idleGap.map(Self.microsecondsRoundedUp)
        maxDurationMicroseconds = configuration.maxDuration.map(Self.microsecondsRoundedUp)
    }

    static func microsecondsRoundedUp(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let perMicrosecond: Int64 = 1_000_000_000_000
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = whole.addingReportingOverflow((attoseconds + perMicrosecond - 1) / perMicrosecond)
        return overflow2 ? .max : total
    }

    /// Number of windows currently open.
    public var openSessionCount: Int {
        switch configuration.keying {
        case .capture, .field: table.count
        case .countWindow: countWindows.count
        case .timeWindow: timeWindows.count
        }
    }

    /// Adds one mined record; returns the windows that closed because of it, oldest first.
    /// `templateText` is evaluated at most once per template every
    /// `TemplateTextCache.refreshInterval` records (window texts may lag a generalisation by
    /// that much).
    ///
    /// `sequence` numbers the record in the caller's feed (default: the count of records
    /// added); `oldestOpenSequence` reports it back for the oldest open keyed session.
    public mutating func add(_ record: LogRecord, templateID: TemplateID,
                             templateText: @autoclosure () -> String, sequence: UInt64? = nil) -> [Window] {
        statistics.records += 1
        currentSequence = sequence ?? UInt64(statistics.records)
        var closed: [Window] = []
        if now == nil || record.time > now! { now = record.time }
        if let keyScanner {
            expireKeyed(into: &closed)
            var keyed = false
            record.message.withUnsafeBytes { message in
                keyScanner.forEachKeyRange(in: message) { range in
                    keyed = true
                    let bytes = UnsafeRawBufferPointer(rebasing: message[range])
                    addKeyed(bytes, { SessionKey(String(decoding: bytes, as: UTF8.self)) }, record,
                             templateID, templateText, into: &closed)
                }
            }
            if !keyed { statistics.unkeyedRecords += 1 }
            return closed
        }
        switch configuration.keying {
        case .capture(let pattern):
            expireKeyed(into: &closed)
            var keyed = false
            let bytes = Array(record.message)
            bytes.withUnsafeBytes { message in
                pattern.forEachKeyRange(in: bytes) { range in
                    keyed = true
                    // The key's bytes find its session; a String is made only to open one.
                    let bytes = UnsafeRawBufferPointer(rebasing: message[range])
                    addKeyed(bytes, { SessionKey(String(decoding: bytes, as: UTF8.self)) }, record,
                             templateID, templateText, into: &closed)
                }
            }
            if !keyed { statistics.unkeyedRecords += 1 }
        case .field(let field):
            expireKeyed(into: &closed)
            let key = sessionKey(of: record, field)
            var text = key.rawValue
            text.withUTF8 { bytes in
                addKeyed(UnsafeRawBufferPointer(bytes), { key }, record, templateID, templateText, into: &closed)
            }
        case .countWindow(let size, let slide):
            let text = texts.text(for: templateID, clock: statistics.records, fetch: templateText)
            addCounted(record, templateID, text, size: size, slide: slide, into: &closed)
        case .timeWindow(let duration):
            expireTimeWindows(into: &closed)
            addTimed(record, templateID, templateText, duration: duration, into: &closed)
        }
        return closed
    }

    /// Moves time forward to `time` (a heartbeat when no records arrive) and returns the windows
    /// that closed by idleness or age.
    public mutating func advance(to time: EventTime) -> [Window] {
        if now == nil || time > now! { now = time }
        var closed: [Window] = []
        switch configuration.keying {
        case .capture, .field: expireKeyed(into: &closed)
        case .timeWindow: expireTimeWindows(into: &closed)
        case .countWindow: break
        }
        return closed
    }

    /// The sequence number (see `add`) of the first record of the oldest open keyed session:
    /// every record added before it is in no open keyed session. Nil when none is open.
    public mutating func oldestOpenSequence() -> UInt64? {
        table.oldestSlot().map { table[$0].firstSequence }
    }

    /// Closes every open window (shutdown, end of a replay): keyed sessions oldest first, then
    /// per-source windows in source order.
    public mutating func flush() -> [Window] {
        var closed: [Window] = []
        while let slot = table.oldestSlot() {
            closed.append(closeKeyed(slot, reason: \.closedByFlush))
        }
        for source in countWindows.keys.sorted() {
            if let window = countWindows[source]!.flushWindow(
                source: source, keep: configuration.maxEventsKept,
                messagesPerTemplate: configuration.maxMessagesPerTemplate)
            {
                statistics.closedByFlush += 1
                closed.append(finish(window))
            }
        }
        countWindows.removeAll()
        for source in timeWindows.keys.sorted() {
            statistics.closedByFlush += 1
            closed.append(finish(timeWindows[source]!.window))
        }
        timeWindows.removeAll()
        return closed
    }

    // MARK: keyed sessions

    private func sessionKey(of record: LogRecord, _ field: SessionizerConfiguration.RecordField) -> SessionKey {
        let value: String? = switch field {
        case .unit: record.fields.unit
        case .identifier: record.fields.identifier
        case .path: record.fields.path
        case .source: record.source.rawValue
        }
        return SessionKey(value ?? record.source.rawValue)
    }

    /// Adds an event to the session keyed by `keyBytes` (`key()` names it when one is opened).
    private mutating func addKeyed(_ keyBytes: UnsafeRawBufferPointer, _ key: () -> SessionKey, _ record: LogRecord,
                                   _ id: TemplateID,
                                   _ templateText: () -> String, into closed: inout [Window]) {
        let hash = SessionKeyIndex.hash(keyBytes)
        var slot = table.slot(for: keyBytes, hash: hash)
        if let s = slot, let maxDuration = maxDurationMicroseconds,
           record.time.microsecondsSinceEpoch - table.sessions[s].start.microsecondsSinceEpoch >= maxDuration
        {
            closed.append(closeKeyed(s, reason: \.closedByMaxDuration))
            slot = nil
        }
        if slot == nil {
            if table.count >= configuration.maxOpenSessions, let oldest = table.oldestSlot() {
                closed.append(closeKeyed(oldest, reason: \.evictedSessions))
            }
            slot = table.open(key(), bytes: keyBytes, hash: hash, source: record.source, time: record.time,
                              sequence: currentSequence)
            statistics.openedSessions += 1
        }
        let s = slot!
        table.touch(s)
        let limits = self.limits
        if Self.append(record, id, limits: limits, to: &table[s]) {
            let text = texts.text(for: id, clock: statistics.records, fetch: templateText)
            // Sessions hold a handful of templates: one table for them, not one per doubling.
            if table[s].window.templates.isEmpty { table[s].window.templates = Dictionary(minimumCapacity: 8) }
            table[s].window.templates[id] = text
        }
        if table.sessions[s].window.eventCount >= configuration.maxEvents {
            closed.append(closeKeyed(s, reason: \.closedByMaxEvents))
        }
    }

    private mutating func expireKeyed(into closed: inout [Window]) {
        guard let now else { return }
        let nowMicroseconds = now.microsecondsSinceEpoch
        if let idleGap = idleGapMicroseconds {
            while let slot = table.leastRecentlyActiveSlot(),
                  nowMicroseconds - table.sessions[slot].window.end.microsecondsSinceEpoch >= idleGap
            {
                closed.append(closeKeyed(slot, reason: \.closedByIdleGap))
            }
        }
        if let maxDuration = maxDurationMicroseconds {
            while let slot = table.oldestSlot(),
                  nowMicroseconds - table.sessions[slot].start.microsecondsSinceEpoch >= maxDuration
            {
                closed.append(closeKeyed(slot, reason: \.closedByMaxDuration))
            }
        }
    }

    private mutating func closeKeyed(_ slot: Int, reason: WritableKeyPath<SessionizerStatistics, Int>) -> Window {
        statistics[keyPath: reason] += 1
        return finish(table.close(slot))
    }

    // MARK: count windows

    private mutating func addCounted(_ record: LogRecord, _ id: TemplateID, _ text: String, size: Int, slide: Int,
                                     into closed: inout [Window]) {
        if countWindows[record.source] == nil {
            if countWindows.count >= configuration.maxOpenSessions, let victim = countWindows.keys.min() {
                var state = countWindows.removeValue(forKey: victim)!
                if let window = state.flushWindow(source: victim, keep: configuration.maxEventsKept,
                                                  messagesPerTemplate: configuration.maxMessagesPerTemplate)
                {
                    statistics.evictedSessions += 1
                    closed.append(finish(window))
                }
            }
            countWindows[record.source] = CountWindowState(size: size, slide: slide)
            statistics.openedSessions += 1
        }
        var event = Self.makeEvent(record, id)
        event.messageBytes = Array(record.message.prefix(configuration.maxMessageBytes))
        if let window = countWindows[record.source]!.append(event, text: text, source: record.source,
                                                            keep: configuration.maxEventsKept,
                                                            messagesPerTemplate: configuration.maxMessagesPerTemplate)
        {
            statistics.closedByCount += 1
            closed.append(finish(window))
        }
    }

    // MARK: time windows

    private mutating func addTimed(_ record: LogRecord, _ id: TemplateID, _ templateText: () -> String,
                                   duration: Duration, into closed: inout [Window]) {
        if timeWindows[record.source] == nil {
            if timeWindows.count >= configuration.maxOpenSessions, let victim = timeWindows.keys.min() {
                statistics.evictedSessions += 1
                closed.append(finish(timeWindows.removeValue(forKey: victim)!.window))
            }
            let span = duration.microseconds
            let t = record.time.microsecondsSinceEpoch
            let start = EventTime(microsecondsSinceEpoch: t - ((t % span) + span) % span)
            timeWindows[record.source] = SessionTable.Session(
                key: SessionKey("\(record.source)@\(start.microsecondsSinceEpoch)"), source: record.source,
                start: start, serial: 0)
            statistics.openedSessions += 1
        }
        let limits = self.limits
        if Self.append(record, id, limits: limits, to: &timeWindows[record.source]!) {
            let text = texts.text(for: id, clock: statistics.records, fetch: templateText)
            timeWindows[record.source]!.window.templates[id] = text
        }
        // A time window's `start` is the bucket start; `end` is its last event.
    }

    private mutating func expireTimeWindows(into closed: inout [Window]) {
        guard let now, case .timeWindow(let duration) = configuration.keying else { return }
        for source in timeWindows.keys.sorted() where now.since(timeWindows[source]!.start) >= duration {
            statistics.closedByTime += 1
            var window = timeWindows.removeValue(forKey: source)!.window
            window.end = window.start.adding(duration)
            closed.append(finish(window))
        }
    }

    // MARK: events

    private static func makeEvent(_ record: LogRecord, _ id: TemplateID) -> WindowEvent {
        WindowEvent(time: record.time, templateID: id, messageBytes: [],
                    priority: record.fields.priority ?? SeverityTokens.priority(in: record.message),
                    unit: record.fields.unit)
    }

    /// The limits `append` needs, copied out so that appending into `table` (a stored
    /// property) never copies `self` while a session is borrowed, which would make the
    /// sessions array non-unique and copy it.
    private var limits: Limits {
        Limits(maxEventsKept: configuration.maxEventsKept, maxMessagesPerTemplate: configuration.maxMessagesPerTemplate,
               maxMessageBytes: configuration.maxMessageBytes)
    }

    struct Limits {
        var maxEventsKept: Int
        var maxMessagesPerTemplate: Int
        var maxMessageBytes: Int
    }

    /// Adds `record` to `session` as an event, its message kept only for the first few events
    /// of each template; returns true when it is the window's first event of its template (the
    /// caller then records the template's text).
    private static func append(_ record: LogRecord, _ id: TemplateID, limits configuration: Limits,
                               to session: inout SessionTable.Session) -> Bool {
        session.window.eventCount += 1
        if record.time > session.window.end { session.window.end = record.time }
        if record.time < session.window.start { session.window.start = record.time }
        guard session.window.events.count < configuration.maxEventsKept else { return false }
        if session.window.events.isEmpty { session.window.events.reserveCapacity(min(configuration.maxEventsKept, 16)) }
        // The event is made only when it is kept.
        var event = makeEvent(record, id)
        let before = session.tally.increment(id)
        let keepMessage = before < configuration.maxMessagesPerTemplate
        if keepMessage {
            // A message with an array of its own (a journal record's) is shared, not copied;
            // a slice of a file source's read buffer is copied, so that the window does not
            // keep the whole buffer alive.
            event.messageBytes = Array(record.message.prefix(configuration.maxMessageBytes))
        }
        session.window.events.append(event)
        return before == 0
    }

    private mutating func finish(_ window: Window) -> Window {
        statistics.closedWindows += 1
        statistics.eventsElided += window.eventCount - window.events.count
        return window
    }
}
