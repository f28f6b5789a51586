import RationCore

/// The open keyed sessions, with the two orders the closing rules need in O(1): least recently
/// active first (idle gap) and oldest opened first (age limit, open-session cap).
///
/// Sessions live in reusable slots; activity order is an intrusive doubly-linked list over the
/// slots, opening order a FIFO of (slot, serial) pairs whose stale entries are skipped lazily
/// and compacted when they outnumber the live ones.
struct SessionTable: Sendable {
    struct Session: Sendable {
        var window: Window
        var tally = TemplateTally()
        /// First event time, for the age limit (`window.start` may move back for a late record).
        var start: EventTime
        var serial: UInt64
        /// The caller's sequence number of the session's first record (see `Sessionizer.add`).
        var firstSequence: UInt64 = 0
        var previous = -1
        var next = -1

        init(key: SessionKey, source: SourceID, start: EventTime, serial: UInt64) {
            window = Window(key: key, source: source, start: start, end: start, events: [], eventCount: 0)
            self.start = start
            self.serial = serial
        }
    }

    private(set) var sessions: [Session] = []
    private var live: [Bool] = []
    private var freeSlots: [Int] = []
    private var index = SessionKeyIndex()
    private var head = -1          // least recently active
    private var tail = -1          // most recently active
    private var opened: [(slot: Int, serial: UInt64)] = []
    private var openedHead = 0
    private var nextSerial: UInt64 = 0

    var count: Int { index.count }

    /// The open session keyed by `bytes` (hashed by `SessionKeyIndex.hash`).
    func slot(for bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? { index.slot(for: bytes, hash: hash) }

    /// Read/write access to a live session.
    subscript(slot: Int) -> Session {
        get { sessions[slot] }
        _modify { yield &sessions[slot] }
    }

    /// Opens a session for `key`, whose UTF-8 bytes are `bytes` hashed as `hash`.
    mutating func open(_ key: SessionKey, bytes: UnsafeRawBufferPointer, hash: UInt64, source: SourceID,
                       time: EventTime, sequence: UInt64) -> Int {
        nextSerial += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            // Reused in place: the slot's tally keeps its storage (`close` emptied it).
            slot = free
            sessions[slot].window = Window(key: key, source: source, start: time, end: time, events: [], eventCount: 0)
            sessions[slot].start = time
            sessions[slot].serial = nextSerial
            live[slot] = true
        } else {
            slot = sessions.count
            sessions.append(Session(key: key, source: source, start: time, serial: nextSerial))
            live.append(true)
        }
        sessions[slot].firstSequence = sequence
        index.insert(slot: slot, bytes: bytes, hash: hash)
        linkAtTail(slot)
        opened.append((slot, nextSerial))
        return slot
    }

    /// Marks `slot` as the most recently active session.
    mutating func touch(_ slot: Int) {
        guard tail != slot else { return }
        unlink(slot)
        linkAtTail(slot)
    }

    mutating func close(_ slot: Int) -> Window {
        unlink(slot)
        live[slot] = false
        index.remove(slot: slot)
        // Moved out, leaving an empty window (no copy of the events or templates).
        var window = Window(key: "", source: "", start: .zero, end: .zero, events: [], eventCount: 0)
        swap(&window, &sessions[slot].window)
        sessions[slot].tally.reset()
        freeSlots.append(slot)
        compactOpenedIfSparse()
        return window
    }

    func leastRecentlyActiveSlot() -> Int? { head >= 0 ? head : nil }

    mutating func oldestSlot() -> Int? {
        while openedHead < opened.count {
            let entry = opened[openedHead]
            if live[entry.slot] && sessions[entry.slot].serial == entry.serial { return entry.slot }
            openedHead += 1
        }
        return nil
    }

    /// Drops stale entries once they outnumber the live ones, and the consumed prefix once it
    /// is most of the array (sessions closed oldest first, as the open-session cap does, leave
    /// no stale entries behind the head, only the prefix).
    private mutating func compactOpenedIfSparse() {
        let pending = opened.count - openedHead
        if pending > 64 && pending > 2 * index.count {
            opened = opened[openedHead...].filter { live[$0.slot] && sessions[$0.slot].serial == $0.serial }
            openedHead = 0
        } else if openedHead > 64 && openedHead * 2 > opened.count {
            opened.removeFirst(openedHead)
            openedHead = 0
        }
    }

    /// Entries in the opening order, consumed or not (bounded by about twice the open
    /// sessions; exposed for tests).
    var openingOrderStorage: Int { opened.count }

    private mutating func linkAtTail(_ slot: Int) {
        sessions[slot].previous = tail
        sessions[slot].next = -1
        if tail >= 0 { sessions[tail].next = slot } else { head = slot }
        tail = slot
    }

    private mutating func unlink(_ slot: Int) {
        let p = sessions[slot].previous
        let n = sessions[slot].next
        if p >= 0 { sessions[p].next = n } else { head = n }
        if n >= 0 { sessions[n].previous = p } else { tail = p }
        sessions[slot].previous = -1
        sessions[slot].next = -1
    }
}
