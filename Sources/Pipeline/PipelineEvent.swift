import Control
import RationCore
import Reasoning

/// What the stage task receives through its `BatchChannel`.
enum PipelineEvent: Sendable {
    /// Records read by a source thread (the bounded lane).
    case batch(SourceID, [LogRecord])
    /// Streams the source stopped tracking (files gone): their checkpoints are dropped. Sent
    /// through the batch lane, so it follows every batch that held their records.
    case forgotten(SourceID, [Checkpoint])
    /// The source had nothing new within its wait: it is caught up at this wall-clock time.
    case idle(SourceID, EventTime)
    /// The source thread ended (shutdown, or an error it could not get past).
    case finished(SourceID)
    /// A verdict for a window submitted to reasoning.
    case judged(WindowJudgement)
    /// Periodic upkeep: commit checkpoints, refresh statistics, snapshots, store maintenance.
    case tick
    case listTemplates(TemplateQuery, CheckedContinuation<[TemplateRecord], Never>)
    /// An operator's template label; `Bool`: force (label a template too broad to label otherwise).
    case labelTemplate(TemplateID, OperatorLabel, Bool, CheckedContinuation<Result<LabelTemplateReply, ControlError>, Never>)
    /// A reload: apply it and answer.
    case reconfigure(Reconfiguration, CheckedContinuation<Result<Void, PipelineError>, Never>)
    /// A reader retired by a reload ended; sent through the batch lane after its last batch,
    /// so every record it read was handled before.
    case retired(SourceReader)
}
