import RationCore

/// Ids of templates merged into another, each mapped to the id that absorbed it, so that an
/// id handed out earlier still names its (now more general) template. Bounded: past
/// `capacity` the oldest alias is forgotten.
struct TemplateAliases: Sendable {
    private var targets: [TemplateID: TemplateID] = [:]
    private var order: [TemplateID] = []
    private var oldest = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { targets.count }

    mutating func add(_ alias: TemplateID, to target: TemplateID) {
        if targets.updateValue(target, forKey: alias) != nil { return }
        if order.count < capacity {
            order.append(alias)
        } else {
            targets[order[oldest]] = nil
            order[oldest] = alias
            oldest = (oldest + 1) % capacity
        }
    }

    /// The live id an id stands for now: itself, or the end of its chain of merges (a chain
    /// is at most as long as the aliases kept).
    func resolve(_ id: TemplateID) -> TemplateID {
        var current = id
        var steps = 0
        while let next = targets[current], steps < order.count {
            current = next
            steps += 1
        }
        return current
    }
}
