import RationCore

/// Alerts stored as `skipped` whose windows the reasoning engine will judge again, by ticket.
/// Bounded like the engine's own re-judge list: past `capacity` the oldest is forgotten and
/// keeps its skipped verdict.
struct AwaitingRejudge: Sendable {
    /// Follows `reasoning.rejudge_capacity` across reloads; a smaller one forgets the oldest
    /// on the next `remember`.
    var capacity: Int { didSet { capacity = max(1, capacity) } }
    private var ids: [UInt64: AlertID] = [:]
    private var order: [UInt64] = []
    private var head = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { ids.count }

    mutating func remember(ticket: UInt64, alert: AlertID) {
        if ids.updateValue(alert, forKey: ticket) == nil { order.append(ticket) }
        while ids.count > capacity, head < order.count {
            ids.removeValue(forKey: order[head])
            head += 1
        }
        compact()
    }

    /// The stored alert of a re-judged window; nil when it was forgotten.
    mutating func take(ticket: UInt64) -> AlertID? {
        let id = ids.removeValue(forKey: ticket)
        compact()
        return id
    }

    /// Drops tickets already taken from the front, so `order` stays near `capacity`.
    private mutating func compact() {
        while head < order.count, ids[order[head]] == nil { head += 1 }
        if head > capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
