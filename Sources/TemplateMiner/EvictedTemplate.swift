import RationCore

/// A template the LRU cap dropped, with its text at that moment: what a caller that has
/// already handed out its id (a batch parse printing each line's template at the end) still
/// needs to name it. Kept only when `TemplateMiner.keepsEvictedTemplates` is set.
/// The text comes as the template's own bytes (moved out, not copied), since a parse of
/// never-repeating lines evicts a template per line.
public struct EvictedTemplate: Sendable {
    public var id: TemplateID
    /// The text as UTF-8 bytes, as the lines had them (possibly invalid UTF-8).
    public var textBytes: [UInt8]
}
