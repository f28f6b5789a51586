import RationCore

/// One live template: token hashes for matching, words for display, the tree leaf it is
/// filed under (its branch keys are the leaf's path, `PrefixTree.path(of:)`), and the words
/// seen in place of its own at positions that may be values.
struct TemplateRecord: Sendable {
    var id: TemplateID
    var hashes: [UInt64]
    var text: TemplateText
    var leaf: Int32
    var wildcards: Int
    /// Other words seen at a position by lines that agree with the template elsewhere.
    var variants: [PositionVariants] = []

    /// What the template holds when filed: its text, word offsets and token hashes, plus a
    /// fixed share for the record, its slot, tree entry and id index (`maxTemplateBytes`
    /// counts this; variants, at most `distinctValuesForParameter` hashes per learned
    /// position, come on top).
    var bytes: Int { text.bytes.count + text.count * 4 + hashes.count * 8 + Self.fixedBytes }

    static let fixedBytes = 320
}

/// Distinct words (their hashes) that lines put at one position of a template, up to the
/// number that makes the position a parameter.
struct PositionVariants: Sendable {
    var position: Int32
    var values: [UInt64]
}
