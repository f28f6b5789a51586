import Control
import RationCore

/// What the control socket reports about the pipeline stages. The wiring of sources, miner,
/// triage, reasoning and store implements it; `IdlePipeline` reports a daemon that runs no
/// stage yet (only the control socket and the alert board).
public protocol PipelineIntrospection: Sendable {
    func sources() async -> [DaemonStatus.Source]
    func queues() async -> [DaemonStatus.Queue]
    func miner() async -> DaemonStatus.Miner
    func llm() async -> DaemonStatus.LLM
    func store() async -> DaemonStatus.Store
    func templates(matching query: TemplateQuery) async throws -> [TemplateRecord]
    /// The template's label, as a pattern; `labelTooBroad` unless `force` when the template has
    /// too few literal words (`LabelReach`). Returns the template and the labels changed.
    func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws -> (template: TemplateRecord, changes: [LabelChange])
    /// An operator labelled `alert` (already stored): its templates take the label on, for
    /// reasoning now or once it is turned on. Throws when those template labels cannot be stored.
    /// Returns the template labels changed.
    func alertLabelled(_ alert: Alert, label: OperatorLabel) async throws -> [LabelChange]
    /// The triage settings in force and its counters; nil when no triage runs.
    func triage() async -> DaemonStatus.Triage?
    /// Stages that showed no progress for `limit` (described for the log); while any is
    /// listed the systemd watchdog is not pinged.
    func stalledStages(silentFor limit: Duration) async -> [String]
}

extension PipelineIntrospection {
    public func alertLabelled(_ alert: Alert, label: OperatorLabel) async throws -> [LabelChange] { [] }
    public func triage() async -> DaemonStatus.Triage? { nil }
    public func stalledStages(silentFor limit: Duration) async -> [String] { [] }
}

/// No stage running: empty lists, zero counters, every template unknown.
public struct IdlePipeline: PipelineIntrospection {
    public let budgetPerMinute: Int
    public let demo: Bool
    public init(budgetPerMinute: Int, demo: Bool) {
        self.budgetPerMinute = budgetPerMinute
        self.demo = demo
    }
    public func sources() async -> [DaemonStatus.Source] { [] }
    public func queues() async -> [DaemonStatus.Queue] { [] }
    public func miner() async -> DaemonStatus.Miner { .init(templates: 0, newTemplatesLastHour: 0) }
    public func llm() async -> DaemonStatus.LLM {
        .init(calls: 0, cacheHits: 0, failures: 0, skipped: 0, budgetPerMinute: budgetPerMinute, budgetLeft: budgetPerMinute, demo: demo)
    }
    public func store() async -> DaemonStatus.Store { .init(alerts: 0, bytes: 0, capacityBytes: 0) }
    public func templates(matching query: TemplateQuery) async throws -> [TemplateRecord] { [] }
    public func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws
        -> (template: TemplateRecord, changes: [LabelChange]) {
        throw ControlError.templateNotFound(id)
    }
}
