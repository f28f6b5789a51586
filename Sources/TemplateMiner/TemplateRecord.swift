import RationCore

/// One live template: token hashes for matching, texts for display, the tree branch it
/// was filed under, and its links in the least-recently-matched list.
struct TemplateRecord: Sendable {
    var id: TemplateID
    var hashes: [UInt64]
    var texts: [String]
    /// Tree keys used when the template was created (token count first); kept so that a
    /// restored miner files it under the same branch.
    var path: [UInt64]
    var leaf: Int32
    var matches: UInt64
    var wildcards: Int
    /// Neighbours in the LRU list (slots; -1 at the ends).
    var newer: Int32 = -1
    var older: Int32 = -1

    var text: String { texts.joined(separator: " ") }
}
