import AlertStore
import Control
import RationCore
import RationDaemon
import Reasoning
import Synchronization

/// What the control socket sees of the running pipeline: figures the stage task refreshes on
/// every tick, plus template listing and labelling, which the stage task answers itself (it
/// owns the miner).
public final class PipelineMonitor: PipelineIntrospection, Sendable {
    struct Figures: Sendable {
        var sources: [DaemonStatus.Source] = []
        var miner = DaemonStatus.Miner(templates: 0, newTemplatesLastHour: 0)
        var queues: [DaemonStatus.Queue] = []
        var triage: DaemonStatus.Triage?
    }

    private let figures = Mutex(Figures())
    private let channel: BatchChannel<PipelineEvent>
    private let reasoning: ReasoningSlot
    private let store: AlertStore
    private let readers: ReaderSet
    private let stageBeacon: ProgressBeacon

    init(channel: BatchChannel<PipelineEvent>, reasoning: ReasoningSlot, store: AlertStore, readers: ReaderSet,
         stageBeacon: ProgressBeacon) {
        self.channel = channel
        self.reasoning = reasoning
        self.store = store
        self.readers = readers
        self.stageBeacon = stageBeacon
    }

    /// The stage task and every running source reader: each beats while it moves or waits for
    /// input, so one silent for `limit` is stuck (a read that never returns, a loop).
    public func stalledStages(silentFor limit: Duration) async -> [String] {
        var stalled: [String] = []
        if stageBeacon.silence > limit { stalled.append("stage task (silent \(stageBeacon.silence))") }
        for reader in readers.all where !reader.isFinished && reader.beacon.silence > limit {
            stalled.append("source \(reader.id) (silent \(reader.beacon.silence))")
        }
        return stalled
    }

    func update(_ body: (inout Figures) -> Void) { figures.withLock { body(&$0) } }

    public func sources() async -> [DaemonStatus.Source] { figures.withLock { $0.sources } }

    public func queues() async -> [DaemonStatus.Queue] {
        var queues = [DaemonStatus.Queue(name: "ingest", depth: channel.depth, capacity: channel.capacity)]
        let current = reasoning.current
        if let engine = current.engine {
            let s = await engine.statistics
            queues.append(.init(name: "reasoning", depth: s.queueDepth + s.inFlight, capacity: current.configuration?.queueCapacity ?? 0))
        }
        return queues
    }

    public func miner() async -> DaemonStatus.Miner { figures.withLock { $0.miner } }

    public func triage() async -> DaemonStatus.Triage? { figures.withLock { $0.triage } }

    /// Counters are those of the engine in force: a reload that changes `[reasoning]` starts
    /// them again from zero.
    public func llm() async -> DaemonStatus.LLM {
        let current = reasoning.current
        let budgetPerMinute = current.configuration?.callsPerMinute ?? 0
        let demo = current.demo
        guard let engine = current.engine else {
            return .init(calls: 0, cacheHits: 0, failures: 0, skipped: 0, budgetPerMinute: budgetPerMinute, budgetLeft: 0, demo: demo)
        }
        let s = await engine.statistics
        return .init(calls: s.calls, cacheHits: s.cacheHits, failures: s.endpointFailures + s.rejectedReplies,
                     skipped: s.skipped + s.queueRejected, budgetPerMinute: budgetPerMinute,
                     budgetLeft: s.callsLeftThisMinute, demo: demo)
    }

    public func store() async -> DaemonStatus.Store {
        let s = store.status
        return .init(alerts: s.alerts, bytes: s.bytesUsed, capacityBytes: store.configuration.totalMaxBytes,
                     oldestAlert: s.oldest?.microsecondsSinceEpoch, removedBySource: s.removedBySource,
                     carriedAlerts: s.carriedAlerts, protectedAlerts: s.sources.values.reduce(0) { $0 + $1.protectedAlerts })
    }

    public func templates(matching query: TemplateQuery) async throws -> [TemplateRecord] {
        await withCheckedContinuation { continuation in
            if !channel.post(.listTemplates(query, continuation)) { continuation.resume(returning: []) }
        }
    }

    /// The alert's templates take on its label (`VerdictCache.applyAlertLabel`): by text, so
    /// templates the miner has since generalised or evicted are covered too.
    public func alertLabelled(_ alert: Alert, label: OperatorLabel) async throws -> [LabelChange] {
        let texts = alert.window.distinctTemplates.compactMap { alert.window.templates[$0] }
        let id = alert.id.rawValue
        do {
            return try await reasoning.updateLabels { cache in
                cache.changingLabels {
                    $0.applyAlertLabel(templateTexts: texts, label: label.label, note: label.note, alert: id,
                                       time: label.time.microsecondsSinceEpoch)
                }
            }.map(LabelChange.init)
        } catch {
            throw ControlError(notSaved: error)
        }
    }

    public func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws
        -> (template: TemplateRecord, changes: [LabelChange]) {
        let result = await withCheckedContinuation { continuation in
            if !channel.post(.labelTemplate(id, label, force, continuation)) {
                continuation.resume(returning: .failure(ControlError.templateNotFound(id)))
            }
        }
        let reply = try result.get()
        return (reply.template, reply.changes)
    }
}
