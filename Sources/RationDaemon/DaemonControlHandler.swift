import Control
import Foundation
import RationCore

/// The daemon's answers to the control socket: alerts from the board, stage figures from the
/// pipeline, reload through the daemon's reload path (the same as SIGHUP).
public struct DaemonControlHandler: ControlHandler {
    let version: String
    let started: ContinuousClock.Instant
    let board: AlertBoard
    let pipeline: any PipelineIntrospection
    let reloader: @Sendable () async throws -> [String]
    /// When set, alerts are listed, read and labelled there rather than on the board.
    let archive: (any AlertArchive)?
    let restartNeeded: @Sendable () -> [String]
    let recoveries: RecoveryLog

    public init(version: String, board: AlertBoard, pipeline: any PipelineIntrospection,
                archive: (any AlertArchive)? = nil, restartNeeded: @escaping @Sendable () -> [String] = { [] },
                recoveries: RecoveryLog = RecoveryLog(),
                reloader: @escaping @Sendable () async throws -> [String]) {
        self.recoveries = recoveries
        self.restartNeeded = restartNeeded
        self.archive = archive
        self.version = version
        self.started = .now
        self.board = board
        self.pipeline = pipeline
        self.reloader = reloader
    }

    public func status() async throws -> DaemonStatus {
        let uptime = started.duration(to: .now)
        var store = await pipeline.store()
        if store.alerts == 0 { store.alerts = board.count }
        let last = board.last
        let pending = recoveries.pending
        return DaemonStatus(version: version, uptimeSeconds: Double(uptime.microseconds) / 1_000_000,
                            sources: await pipeline.sources(), miner: await pipeline.miner(), queues: await pipeline.queues(),
                            llm: await pipeline.llm(), store: store, lastAlert: last?.id.rawValue,
                            lastAlertTime: last?.lastSeen.microsecondsSinceEpoch, triage: await pipeline.triage(),
                            restartNeeded: restartNeeded().nilIfEmpty, recoveries: pending.entries.nilIfEmpty,
                            recoveriesDropped: pending.dropped > 0 ? pending.dropped : nil)
    }

    public func alerts(matching query: AlertQuery) async throws -> [Alert] {
        if let archive { return try archive.alerts(matching: query) }
        return board.alerts(matching: query)
    }
    public func followAlerts() async -> AsyncStream<Alert> { board.follow() }

    public func alert(id: AlertID) async throws -> Alert {
        guard let a = try archive.map({ try $0.alert(id: id) }) ?? board.alert(id: id) else { throw ControlError.alertNotFound(id) }
        return a
    }

    public func templates(matching query: TemplateQuery) async throws -> [TemplateRecord] {
        try await pipeline.templates(matching: query)
    }

    /// Refuses, before anything is labelled, an alert label that would reach a template too
    /// broad to label (`LabelReach`) unless `force`.
    public func labelAlert(id: AlertID, label: OperatorLabel, force: Bool) async throws -> (alert: Alert, changes: [LabelChange]) {
        if !force {
            let window = try await alert(id: id).window
            let texts = window.distinctTemplates.compactMap { window.templates[$0] }
            if let broad = LabelReach.impliedTemplates(texts, label: label.label).first(where: LabelReach.isTooBroad) {
                throw ControlError.labelTooBroad(template: broad, literalWords: LabelReach.literalWords(in: broad))
            }
        }
        if let archive {
            guard let a = try archive.label(id: id, label) else { throw ControlError.alertNotFound(id) }
            board.publish(a)
            return (a, try await pipeline.alertLabelled(a, label: label))
        }
        guard let a = board.update(id: id, { $0.operatorLabel = label }) else { throw ControlError.alertNotFound(id) }
        return (a, try await pipeline.alertLabelled(a, label: label))
    }

    public func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws
        -> (template: TemplateRecord, changes: [LabelChange]) {
        try await pipeline.labelTemplate(id: id, label: label, force: force)
    }

    public func reload() async throws -> [String] { try await reloader() }

    public func acknowledgeRecoveries() async throws -> Int { recoveries.acknowledge() }
}

extension Array {
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}
