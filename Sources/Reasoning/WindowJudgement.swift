import RationCore

/// A window's verdict with the per-template verdicts it was built from.
public struct WindowJudgement: Sendable, Hashable {
    /// The caller's handle (e.g. an alert id) passed to `submit`.
    public var ticket: UInt64
    public var window: Window
    public var suspicion: Suspicion
    public var verdict: Verdict
    public var templateVerdicts: [TemplateID: Verdict]
    /// The window-level prompt's verdict, when it was asked.
    public var windowVerdict: Verdict?
    /// True when this result re-judges a window earlier reported as skipped.
    public var rejudged: Bool
}
