import RationCore

/// One live template: token hashes for matching, texts for display, the tree branch it
/// was filed under,.
struct TemplateRecord: Sendable {
    var id: TemplateID
    var hashes: [UInt64]
    var texts: [String]
    /// Tree keys used when the template was created (token count first); kept so that a
    /// restored miner files it under the same branch.
    var path: [UInt64]
    var leaf: Int32
    var wildcards: Int

    var text: String { texts.joined(separator: " ") }
}
