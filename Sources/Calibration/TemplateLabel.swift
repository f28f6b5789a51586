import RationCore

/// An expert's label for one template text, before any analysis exists: the input of
/// distillation and of the exports. `time` (Unix seconds) orders the chronological split.
public struct TemplateLabel: Sendable, Hashable, Codable {
    /// Where the label came from; later sources win over earlier ones (see ``TemplateLabels/merge(_:)``).
    public enum Origin: String, Sendable, Hashable, Codable {
        /// A labelled template file (`--labels-csv`).
        case file
        /// An operator's label on an alert (`rationctl label alert`), in the alert store.
        case alert
        /// An operator's label on a template (`rationctl label template`), a verdict cache override.
        case template
    }

    public var time: Double
    public var template: String
    public var label: Verdict.Label
    public var note: String?
    public var origin: Origin

    public init(time: Double, template: String, label: Verdict.Label, note: String? = nil, origin: Origin) {
        self.time = time
        self.template = template
        self.label = label
        self.note = note
        self.origin = origin
    }
}
