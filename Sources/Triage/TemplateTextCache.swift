import RationCore

/// The sessionizer's copy of template texts, so the miner is asked for a template's text once
/// per `refreshInterval` records rather than once per window: building the text is costly,
/// and it only changes when the miner generalises the template. Bounded: cleared when full.
struct TemplateTextCache: Sendable {
    static let refreshInterval = 4_096
    static let capacity = 65_536
    private var entries: [TemplateID: (text: String, fetchedAt: Int)] = [:]

    /// The text of `id` as of at most `refreshInterval` records before `clock`.
    mutating func text(for id: TemplateID, clock: Int, fetch: () -> String) -> String {
        if let entry = entries[id], clock - entry.fetchedAt < Self.refreshInterval { return entry.text }
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        let text = fetch()
        entries[id] = (text, clock)
        return text
    }
}
