import RationCore

/// A template the LRU cap dropped, with its text at that moment: what a caller that has
/// already handed out its id (a batch parse printing each line's template at the end) still
/// needs to name it. Kept only when `TemplateMiner.keepsEvictedTemplates` is set.
public struct EvictedTemplate: Sendable {
    public var id: TemplateID
    public var text: String
}
