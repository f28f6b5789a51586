import RationCore

/// Per-window event counts by template. Windows usually hold a handful of templates, for
/// which a linear scan beats hashing; past `linearLimit` a hash index takes over.
struct TemplateTally: Sendable {
    static let linearLimit = 16
    private var ids: [TemplateID] = []
    private var counts: [Int] = []
    private var index: [TemplateID: Int]?

    /// Adds one event of `id`; returns how many it had before (0 for a new template).
    mutating func increment(_ id: TemplateID) -> Int {
        if let slot = slot(of: id) {
            counts[slot] += 1
            return counts[slot] - 1
        }
        ids.append(id)
        counts.append(1)
        if index != nil {
            index![id] = ids.count - 1
        } else if ids.count > Self.linearLimit {
            var built: [TemplateID: Int] = [:]
            for (k, t) in ids.enumerated() { built[t] = k }
            index = built
        }
        return 0
    }

    private func slot(of id: TemplateID) -> Int? {
        if let index { return index[id] }
        for k in ids.indices where ids[k] == id { return k }
        return nil
    }
}
