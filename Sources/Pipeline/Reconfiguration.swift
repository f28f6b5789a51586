import Ingest
import RationCore
import Triage

/// A source opened for the pipeline, with the checkpoints it was opened at.
struct OpenedSource: @unchecked Sendable {
    // @unchecked: a LogSource is used by one thread at a time; this only hands it from the task
    // that opened it to the stage task, which hands it to the reader thread that owns it.
    var settings: PipelineSettings.Source
    var source: any LogSource
    var restored: [String: Checkpoint]
    var kind: String { settings.kindName }
}

/// What a reload changes in the running pipeline, prepared before the stage task applies it:
/// validated settings, added sources already open, a new reasoning engine already built, so
/// that whatever can fail fails before anything changes.
struct Reconfiguration: Sendable {
    /// The settings in force afterwards (paths and limits as at start).
    var settings: PipelineSettings
    var added: [OpenedSource]
    var removed: [SourceID]
    /// Sources whose settings changed: their readers stop and they are reopened where they stopped.
    var changed: [PipelineSettings.Source]
    /// nil: unchanged.
    var triage: TriageConfiguration?
    /// nil: unchanged.
    var reasoning: ReasoningSlot.Current?

    var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && triage == nil && reasoning == nil }
}

extension PipelineSettings.Source {
    /// `journal` or `files`, as the control socket reports it.
    var kindName: String { if case .journal = kind { "journal" } else { "files" } }
}
