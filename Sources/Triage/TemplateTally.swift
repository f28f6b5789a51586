import RationCore

/// Per-window event counts by template. Windows usually hold a handful of templates, for
/// which a linear scan beats hashing; past `linearLimit` a hash index takes over.
struct TemplateTally: Sendable {
    static let linearLimit = 16
    private var entries: [(id: TemplateID, count: Int)] = []
    private var index: [TemplateID: Int]?

    /// Adds one event of `id`; returns how many it had before (0 for a new template).
    mutating func increment(_ id: TemplateID) -> Int {
        if let slot = slot(of: id) {
            entries[slot].count += 1
            return entries[slot].count - 1
        }
        if entries.isEmpty { entries.reserveCapacity(8) }
        entries.append((id, 1))
        if index != nil {
            index![id] = entries.count - 1
        } else if entries.count > Self.linearLimit {
            var built: [TemplateID: Int] = [:]
            for (k, e) in entries.enumerated() { built[e.id] = k }
            index = built
        }
        return 0
    }

    /// Empties the tally, keeping its storage for the slot's next session.
    mutating func reset() {
        entries.removeAll(keepingCapacity: true)
        index = nil
    }

    private func slot(of id: TemplateID) -> Int? {
        if let index { return index[id] }
        for k in entries.indices where entries[k].id == id { return k }
        return nil
    }
}
