import AlertStore
import Control
import Foundation
import Ingest
import Logging
import RationCore
import Reasoning
import ServiceLifecycle
import Synchronization
import TemplateMiner
import Triage

/// The daemon's actual job as one `Service`: source threads → bounded channel → stage task
/// (miner, sessionizers, triage) → reasoning (bounded, non-blocking submit) → alert store →
/// `publish`. Checkpoints are committed only for records whose windows are stored (see
/// `CheckpointLedger`); snapshots of miner and triage are written periodically and at shutdown.
///
/// Graceful shutdown: the sources stop, the channel drains, every open window is closed and
/// assessed, verdicts are awaited until 3/4 of the shutdown timeout (then stored as skipped),
/// and the last checkpoints and snapshots are written.
///
/// Reload (`reconfigure`, see `PipelineService+Reload`): sources are added, retired or
/// reopened, triage and reasoning settings replaced, while unchanged sources keep reading.
public final class PipelineService: Service, Sendable, CustomStringConvertible {
    /// The settings the pipeline started with (a reload changes the stage task's copy).
    public let settings: PipelineSettings
    public let monitor: PipelineMonitor
    public let archive: StoredAlertArchive
    public var description: String {
        let step = stopStep.withLock { $0 }.map { " stopping: \($0)" } ?? ""
        return "PipelineService(\(settings.sources.map(\.id.rawValue).joined(separator: ", ")))\(step)"
    }
    /// Where graceful shutdown stands (nil: running).
    let stopStep = Mutex<StopStep?>(nil)

    let store: AlertStore
    let reasoning: ReasoningSlot
    let channel: BatchChannel<PipelineEvent>
    let readers: ReaderSet
    /// Each stored alert, and whether verdicts come from a demonstration model.
    private let publish: @Sendable (Alert, AlertEvent, _ demo: Bool) -> Void
    let logger: Logger
    let recoverer: StateRecoverer
    private let initialStage: Mutex<AnalysisStage?>
    let shutdownRequested = Atomic<Bool>(false)
    private let tickPending = Atomic<Bool>(false)
    /// Beats for each event the stage task handles (ticks keep it beating while idle).
    let stageBeacon = ProgressBeacon()
    /// Tasks forwarding verdicts from each engine (a reload adds one per new engine).
    let forwarders = Mutex<[Task<Void, Never>]>([])

    /// Opens the store, restores snapshots and checkpoints, and opens every source; nothing is
    /// read until `run`. `publish` receives each stored alert (the daemon's board and journal)
    /// and whether the demonstration model is configured.
    /// Damaged state files set aside at start or reload are recorded in `recoveries`.
    public init(settings: PipelineSettings, logger: Logger, recoveries: RecoveryLog = RecoveryLog(),
                publish: @escaping @Sendable (Alert, AlertEvent, _ demo: Bool) -> Void) throws(PipelineError) {
        self.settings = settings
        self.logger = logger
        let recoverer = StateRecoverer(log: recoveries, logger: logger)
        self.recoverer = recoverer
        self.publish = publish
        do { try DurableFile.makeDirectories(settings.stateDirectory) } catch {
            throw .state(path: settings.stateDirectory, reason: "cannot create the state directory: \(error)")
        }
        do {
            var storeConfiguration = settings.store
            let storeLogger = logger
            storeConfiguration.eventHandler = { event in storeLogger.notice("alert store: \(event)") }
            store = try AlertStore(configuration: storeConfiguration)
        } catch { throw .store(reason: "\(settings.store.directory): \(error)") }
        if !store.recoveryReport.isClean { logger.warning("alert store recovered: \(store.recoveryReport)") }

        let engine = try Self.makeEngine(settings.reasoning)
        if let recovery = engine?.cacheRecovery { recoverer.report(recovery) }
        reasoning = ReasoningSlot(.init(engine: engine, configuration: settings.reasoning, demo: settings.demo),
                                  cachePath: settings.verdictCachePath, cacheSize: settings.verdictCacheSize,
                                  cacheMaxBytes: settings.verdictCacheMaxBytes, recoverer: recoverer)
        channel = BatchChannel(capacity: settings.queueCapacity, byteCapacity: settings.queueMaxBytes)

        let (miner, freshMiner) = Self.restoreMiner(settings, logger: logger, recoverer: recoverer)
        if let freshMiner, FileManager.default.fileExists(atPath: settings.triageSnapshotPath) {
            // Triage keys its statistics by template id: with new ids they would describe
            // other templates, so triage learns again too.
            recoverer.setAside(settings.triageSnapshotPath, what: "triage snapshot",
                               problem: "its template ids belong to a miner that starts fresh (\(freshMiner))",
                               fallback: "triage learns again")
        }
        var stage = AnalysisStage(miner: miner, triage: try Self.restoreTriage(settings, logger: logger, recoverer: recoverer),
                                  freshStart: freshMiner)
        let journalCheckpoints = try Self.loadJournalCheckpoints(settings, recoverer: recoverer)
        var readers: [SourceReader] = []
        for source in settings.sources {
            let opened = try Self.open(source, settings: settings, journalCheckpoints: journalCheckpoints, recoverer: recoverer)
            do {
                try stage.addLane(source.id, sessionizer: source.sessionizer, windowedPriority: source.windowedPriority,
                                  restored: opened.restored)
            } catch { throw .configuration(key: "sessionizer", reason: error.description) }
            readers.append(SourceReader(source: opened.source, kind: opened.kind, channel: channel, batchSize: settings.batchSize,
                                        logger: logger))
        }
        self.readers = ReaderSet(readers)
        initialStage = Mutex(stage)
        monitor = PipelineMonitor(channel: channel, reasoning: reasoning, store: store, readers: self.readers,
                                  stageBeacon: stageBeacon)
        archive = StoredAlertArchive(store: store)
    }

    /// An engine for `configuration` (nil: reasoning disabled).
    static func makeEngine(_ configuration: ReasoningConfiguration?) throws(PipelineError) -> ReasoningEngine? {
        guard let configuration else { return nil }
        do { return try ReasoningEngine(configuration: configuration) } catch {
            throw .configuration(key: "reasoning", reason: error.description)
        }
    }

    /// Opens one source at its saved checkpoints (journal: `journalCheckpoints`; files: the
    /// source's own checkpoint file).
    static func open(_ source: PipelineSettings.Source, settings: PipelineSettings,
                     journalCheckpoints: [SourceID: Checkpoint], recoverer: StateRecoverer) throws(PipelineError) -> OpenedSource {
        let logger = recoverer.logger
        var restored: [String: Checkpoint] = [:]
        do {
            switch source.kind {
            case let .journal(configuration):
                let checkpoint = journalCheckpoints[source.id]
                if let checkpoint { restored[CheckpointLedger.stream(of: checkpoint)] = checkpoint }
                return OpenedSource(settings: source, source: try openJournal(configuration, at: checkpoint, logger: logger),
                                    restored: restored)
            case let .files(configuration):
                let state = try loadFileState(settings.fileCheckpointPath(source.id), startAt: configuration.startAt,
                                              recoverer: recoverer)
                for entry in state?.files ?? [] {
                    let checkpoint = Checkpoint(source: source.id, position: .file(entry.position))
                    restored[CheckpointLedger.stream(of: checkpoint)] = checkpoint
                }
                return OpenedSource(settings: source, source: try FileSource(configuration: configuration, state: state),
                                    restored: restored)
            }
        } catch {
            throw .source(id: source.id.rawValue, reason: error.description)
        }
    }

    /// Opens a source again where its previous reader stopped (`latest`: the newest fed
    /// checkpoint of each stream), for a reload that changed its settings.
    static func reopen(_ source: PipelineSettings.Source, at latest: [String: Checkpoint],
                       logger: Logger) throws(PipelineError) -> any LogSource {
        do {
            switch source.kind {
            case let .journal(configuration):
                return try openJournal(configuration, at: latest["journal"], logger: logger)
            case let .files(configuration):
                let now = WallClockTime.now()
                let entries = latest.values.compactMap { checkpoint -> FileSourceState.Entry? in
                    guard case let .file(position) = checkpoint.position else { return nil }
                    return FileSourceState.Entry(position: position, lastSeen: now)
                }.sorted { $0.position.path < $1.position.path }
                return try FileSource(configuration: configuration, state: FileSourceState(source: source.id, files: entries))
            }
        } catch {
            throw .source(id: source.id.rawValue, reason: error.description)
        }
    }

    private static func openJournal(_ configuration: JournalSourceConfiguration, at checkpoint: Checkpoint?,
                                    logger: Logger) throws(IngestError) -> JournalSource {
        let noticeLogger = logger
        return try JournalSource(configuration: configuration, checkpoint: checkpoint) { notice in
            if notice.isWarning { noticeLogger.warning("\(notice)") } else { noticeLogger.info("\(notice)") }
        }
    }

    /// The miner of the snapshot, run with the configured settings; or an empty one and why
    /// it starts fresh (no snapshot, unreadable, made with other tree or mask settings).
    private static func restoreMiner(_ settings: PipelineSettings, logger: Logger,
                                     recoverer: StateRecoverer) -> (TemplateMiner, fresh: String?) {
        do {
            if let miner = try TemplateMiner.load(from: settings.minerSnapshotPath, configuration: settings.miner) {
                logger.info("miner restored", metadata: ["templates": "\(miner.templateCount)"])
                return (miner, nil)
            }
            return (TemplateMiner(configuration: settings.miner), "no miner snapshot")
        } catch {
            recoverer.setAside(settings.minerSnapshotPath, what: "miner snapshot", problem: "not usable: \(error)",
                               fallback: "the miner starts empty")
            return (TemplateMiner(configuration: settings.miner), "\(error)")
        }
    }

    private static func restoreTriage(_ settings: PipelineSettings, logger: Logger,
                                      recoverer: StateRecoverer) throws(PipelineError) -> Triage {
        do {
            if let bytes = try DurableFile.read(settings.triageSnapshotPath) {
                let triage = try Triage(snapshot: bytes, configuration: settings.triage)
                logger.info("triage restored", metadata: ["windows": "\(triage.learnedWindows)"])
                return triage
            }
        } catch {
            recoverer.setAside(settings.triageSnapshotPath, what: "triage snapshot", problem: "unreadable: \(error)",
                               fallback: "triage learns again")
        }
        do { return try Triage(configuration: settings.triage) } catch {
            throw .configuration(key: "triage", reason: error.description)
        }
    }

    /// The journal's saved checkpoints; a damaged file is set aside and the journal starts
    /// at its `start_at` instead of the daemon refusing to start (a restart loop under systemd).
    static func loadJournalCheckpoints(_ settings: PipelineSettings, recoverer: StateRecoverer) throws(PipelineError) -> [SourceID: Checkpoint] {
        let path = settings.journalCheckpointPath
        do { return try CheckpointStore(path: path).load() } catch {
            guard case let .checkpoint(_, reason) = error else { throw .state(path: path, reason: error.description) }
            recoverer.setAside(path, what: "journal checkpoint", problem: reason, fallback: "the journal starts at its start_at setting")
            return [:]
        }
    }

    /// A file source's saved state; a damaged file is set aside and the source starts at its
    /// `start_at` setting. A file that cannot be read (permissions, I/O) still stops the start.
    static func loadFileState(_ path: String, startAt: FileSourceConfiguration.StartPosition,
                              recoverer: StateRecoverer) throws(IngestError) -> FileSourceState? {
        do { return try FileCheckpointStore(path: path).load() } catch {
            guard case let .checkpoint(_, reason) = error else { throw error }
            recoverer.setAside(path, what: "file checkpoint", problem: reason,
                               fallback: "the source starts at its start_at setting (\(startAt))")
            return nil
        }
    }

    // MARK: Running

    public func run() async throws {
        guard var stage = initialStage.withLock({ s -> AnalysisStage? in defer { s = nil }; return s }) else {
            throw PipelineError.configuration(key: "pipeline", reason: "already ran")
        }
        for reader in readers.all { reader.start() }
        logger.info("pipeline started", metadata: ["sources": "\(readers.all.map(\.id.rawValue))",
                                                    "reasoning": "\(reasoning.current.engine == nil ? "off" : "on")"])
        let tickInterval = settings.tickInterval
        let ticker = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tickInterval)
                if !tickPending.exchange(true, ordering: .acquiringAndReleasing) { channel.post(.tick) }
            }
        }
        if let engine = reasoning.current.engine { forward(engine) }
        await withGracefulShutdownHandler {
            var loop = StageLoop(service: self, stage: stage)
            loop.resubmitStoredSkips()
            loop.refreshFigures()
            await loop.run()
            stage = loop.stage
        } onGracefulShutdown: { [self] in
            logger.info("pipeline stopping: stopping sources, draining")
            stopStep.withLock { $0 = .drainingQueue }
            shutdownRequested.store(true, ordering: .releasing)
            readers.stopAll()
            channel.post(.tick)
        }
        ticker.cancel()
        for forwarder in forwarders.withLock({ $0 }) { forwarder.cancel() }
        readers.stopAll()
        channel.close()
        // Answer control requests that arrived during the drain.
        while let event = await channel.receive() {
            switch event {
            case let .listTemplates(_, reply): reply.resume(returning: [])
            case let .labelTemplate(id, _, _, reply): reply.resume(returning: .failure(.templateNotFound(id)))
            case let .reconfigure(_, reply): reply.resume(returning: .failure(.configuration(key: "reload", reason: "the daemon is stopping")))
            default: break
            }
        }
        stopStep.withLock { $0 = .joiningSourceThreads }
        for reader in readers.all where !reader.join(timeout: .seconds(2)) {
            logger.warning("source thread did not stop in time", metadata: ["source": "\(reader.id)"])
        }
        stopStep.withLock { $0 = .closingStore }
        store.close()
        logger.info("pipeline stopped")
    }

    /// Sends the verdicts of `engine` to the stage task until the engine ends.
    func forward(_ engine: ReasoningEngine) {
        let task = Task { [channel] in for await judgement in engine.results { channel.post(.judged(judgement)) } }
        // One per engine: one more per reload that changed [reasoning]; an ended engine's task
        // has returned and holds nothing.
        forwarders.withLock { $0.append(task) }
    }

    /// The stage task's state and event handling.
    struct StageLoop {
        let service: PipelineService
        var stage: AnalysisStage
        /// The settings in force: the start settings with what reloads changed.
        var settings: PipelineSettings
        /// Sources whose readers were asked to stop by a reload, with the settings to reopen
        /// them with (nil: removed).
        var retiring: [SourceID: PipelineSettings.Source?] = [:]
        var nextTicket: UInt64 = 0
        var awaitingRejudge: AwaitingRejudge
        var finished = Set<SourceID>()
        var idle = Set<SourceID>()
        /// A store write or sync failed: checkpoints wait until `releaseHold` succeeds.
        var checkpointsHeld = false
        /// Alerts the store refused, stored again once it works (at most `unstoredCapacity`).
        var unstored: [Alert] = []
        var unstoredOverflowed = false
        /// Checkpoints taken for a commit whose store sync failed.
        var heldCommit: [SourceID: [String: Checkpoint]] = [:]
        var lastMinerSnapshot = ContinuousClock.now
        var lastTriageSnapshot = ContinuousClock.now
        var storeFailures = 0
        var logger: Logger { service.logger }

        init(service: PipelineService, stage: AnalysisStage) {
            self.service = service
            self.stage = stage
            self.settings = service.settings
            awaitingRejudge = AwaitingRejudge(capacity: service.settings.reasoning?.rejudgeCapacity ?? 1)
        }

        mutating func run() async {
            while let event = await service.channel.receive() {
                await handle(event)
                if Task.isCancelled { break }
                if service.shutdownRequested.load(ordering: .acquiring),
                   service.readers.all.allSatisfy({ finished.contains($0.id) }) { break }
            }
            await drain()
        }

        mutating func handle(_ event: PipelineEvent) async {
            service.stageBeacon.beat()
            switch event {
            case let .batch(source, records):
                idle.remove(source)
                await escalate(stage.ingest(records, from: source))
            case let .forgotten(source, streams):
                stage.forget(streams, of: source)
            case let .idle(source, time):
                idle.insert(source)
                service.readers.reader(source)?.idleHandled()
                await escalate(stage.advance(source, to: time))
            case let .finished(source):
                finished.insert(source)
            case let .judged(judgement):
                if stage.release(ticket: judgement.ticket) != nil {
                    let id = store(judgement.window, judgement.suspicion, judgement.verdict)
                    if let id, case .skipped = judgement.verdict.status, settings.reasoning?.rejudgeSkipped == true {
                        awaitingRejudge.remember(ticket: judgement.ticket, alert: id)
                    }
                } else {
                    // A window whose alert is already stored: judged again.
                    revise(judgement)
                }
            case .tick:
                service.tickPending.store(false, ordering: .releasing)
                await tick()
            case let .listTemplates(query, reply):
                reply.resume(returning: await templates(query))
            case let .labelTemplate(id, label, force, reply):
                reply.resume(returning: await labelTemplate(id, label, force: force))
            case let .reconfigure(change, reply):
                reply.resume(returning: await apply(change))
            case let .retired(reader):
                await retired(reader)
            }
        }

        /// Escalated windows go to reasoning without waiting; a full queue or disabled
        /// reasoning stores the alert at once as skipped.
        mutating func escalate(_ escalations: [AnalysisStage.Escalation]) async {
            let reasoning = service.reasoning.current
            for e in escalations {
                guard let engine = reasoning.engine else {
                    store(e.window, e.suspicion, .skipped(reasoning.configuration == nil ? "reasoning disabled" : "no engine"))
                    continue
                }
                nextTicket += 1
                if engine.submit(e.window, suspicion: e.suspicion, ticket: nextTicket) {
                    stage.hold(ticket: nextTicket, for: e)
                } else {
                    store(e.window, e.suspicion, .skipped("reasoning queue full (\(reasoning.configuration?.queueCapacity ?? 0) windows)"))
                }
            }
        }

        /// Alerts stored as skipped before this start (the engine's re-judge list lives in
        /// memory) go back to reasoning, newest first, as far as `rejudge_capacity` and the
        /// reasoning queue allow.
        mutating func resubmitStoredSkips() {
            guard let engine = service.reasoning.current.engine, let reasoning = settings.reasoning, reasoning.rejudgeSkipped else { return }
            let skipped: [Alert]
            do {
                skipped = try StoredAlertArchive(store: service.store)
                    .alerts(matching: Control.AlertQuery(verdict: "skipped", limit: reasoning.rejudgeCapacity))
            } catch {
                logger.warning("cannot read the alerts stored as skipped; they keep that verdict", metadata: ["error": "\(error)"])
                return
            }
            var submitted = 0
            for alert in skipped {
                nextTicket += 1
                guard engine.submit(alert.window, suspicion: alert.suspicion, ticket: nextTicket) else { break }
                awaitingRejudge.remember(ticket: nextTicket, alert: alert.id)
                submitted += 1
            }
            if submitted > 0 {
                logger.notice("alerts stored as skipped go back to reasoning", metadata: ["alerts": "\(submitted)", "skipped": "\(skipped.count)"])
            }
        }

        /// A window stored as skipped was judged again: its alert takes the new verdict.
        mutating func revise(_ judgement: WindowJudgement) {
            // Still skipped: the engine tries again later (a window it drops is forgotten here
            // in time, the list being bounded).
            if case .skipped = judgement.verdict.status { return }
            guard let id = awaitingRejudge.take(ticket: judgement.ticket) else { return }
            do {
                service.publish(try service.store.revise(id: id, verdict: judgement.verdict), .updated, service.reasoning.current.demo)
            } catch {
                logger.warning("cannot update a re-judged alert; it keeps its skipped verdict",
                               metadata: ["alert": "\(id)", "error": "\(error)"])
            }
        }

        @discardableResult
        mutating func store(_ window: Window, _ suspicion: Suspicion, _ verdict: Verdict) -> AlertID? {
            let alert = Alert(id: AlertID(0), firstSeen: window.start, lastSeen: window.end, count: 1,
                              host: settings.host, window: window, suspicion: suspicion, verdict: verdict)
            do {
                return try append(alert)
            } catch {
                storeFailures += 1
                if !checkpointsHeld {
                    logger.error("cannot store an alert; checkpoints are held until the store takes it",
                                 metadata: ["error": "\(error)", "source": "\(window.source)", "key": "\(window.key)"])
                }
                checkpointsHeld = true
                if unstored.count < Self.unstoredCapacity {
                    unstored.append(alert)
                } else if !unstoredOverflowed {
                    unstoredOverflowed = true
                    logger.error("more than \(Self.unstoredCapacity) alerts could not be stored; checkpoints stay held until restart, which reads their records again")
                }
                return nil
            }
        }

        func append(_ alert: Alert) throws(AlertStoreError) -> AlertID {
            let id = try service.store.append(alert)
            var stored = (try? service.store.alert(id: id)) ?? alert
            stored.id = id
            service.publish(stored, stored.count > 1 ? .repeated : .raised, service.reasoning.current.demo)
            return id
        }

        /// Alerts kept for a later try while the store fails; past this, the hold lasts until
        /// a restart (which reads their records again).
        static let unstoredCapacity = 256

        /// Stores the alerts that failed before and syncs the store; true (and the hold is
        /// lifted) when all of it worked, so the checkpoints held back cover only stored alerts.
        mutating func releaseHold() -> Bool {
            guard !unstoredOverflowed else { return false }
            var late = 0
            while let alert = unstored.first {
                do { _ = try append(alert) } catch { return false }
                unstored.removeFirst()
                late += 1
            }
            do { try service.store.sync() } catch { return false }
            checkpointsHeld = false
            logger.warning("alert store works again; checkpoints are committed again",
                           metadata: ["alertsStoredLate": "\(late)"])
            return true
        }

        mutating func tick() async {
            commitCheckpoints()
            let now = ContinuousClock.now
            if now - lastMinerSnapshot >= settings.minerSnapshotInterval {
                saveMiner()
                lastMinerSnapshot = now
            }
            if now - lastTriageSnapshot >= settings.triageSnapshotInterval {
                saveTriage()
                lastTriageSnapshot = now
            }
            service.store.maintain()
            refreshFigures()
        }

        mutating func commitCheckpoints() {
            stage.settle()
            if checkpointsHeld, !releaseHold() { return }
            var changed = heldCommit
            heldCommit = [:]
            changed.merge(stage.takeCheckpoints()) { _, newer in newer }
            guard !changed.isEmpty else { return }
            do { try service.store.sync() } catch {
                logger.error("alert store sync failed; checkpoints held until a sync succeeds", metadata: ["error": "\(error)"])
                checkpointsHeld = true
                heldCommit = changed
                return
            }
            let wall = WallClockTime.now()
            for (source, streams) in changed {
                do throws(IngestError) {
                    if source == "journal" {
                        if let checkpoint = streams["journal"] { try CheckpointStore(path: service.settings.journalCheckpointPath).save(checkpoint) }
                    } else {
                        let entries = streams.values.compactMap { checkpoint -> FileSourceState.Entry? in
                            guard case let .file(position) = checkpoint.position else { return nil }
                            return FileSourceState.Entry(position: position, lastSeen: wall)
                        }.sorted { $0.position.path < $1.position.path }
                        try FileCheckpointStore(path: service.settings.fileCheckpointPath(source))
                            .save(FileSourceState(source: source, files: entries))
                    }
                    service.readers.reader(source)?.acknowledge(Array(streams.values))
                } catch {
                    logger.error("cannot save checkpoint", metadata: ["source": "\(source)", "error": "\(error)"])
                }
            }
        }

        func saveMiner() {
            do { try stage.miner.save(to: service.settings.minerSnapshotPath) } catch {
                logger.error("cannot save the miner snapshot", metadata: ["error": "\(error)"])
            }
        }

        mutating func saveTriage() {
            stage.pruneTemplateTimes()
            do { try DurableFile.write(try stage.triage.snapshot(), to: service.settings.triageSnapshotPath) } catch {
                logger.error("cannot save the triage snapshot", metadata: ["error": "\(error)"])
            }
        }

        func refreshFigures() {
            let wall = WallClockTime.now()
            let sources = service.readers.all.map { reader -> DaemonStatus.Source in
                let lane = stage.lanes[reader.id]
                let lag = idle.contains(reader.id) ? 0 : lane?.lastRecordTime.map { max(0, wall.since($0).seconds) }
                let checkpoint = lane.flatMap { l in l.ledger.safe.values.map(Self.describe).sorted().joined(separator: ", ") }
                return DaemonStatus.Source(name: reader.id.rawValue, kind: reader.kind, records: lane?.records ?? 0,
                                           lagSeconds: lag, checkpoint: checkpoint?.isEmpty == false ? checkpoint : nil,
                                           errors: reader.errors, overflowLines: lane?.overflowLines ?? 0)
            }
            let miner = DaemonStatus.Miner(templates: stage.miner.templateCount,
                                           newTemplatesLastHour: stage.templateTimes.newInLastHour(now: wall),
                                           merged: Int(stage.miner.statistics.templatesMerged),
                                           overflowLines: Int(stage.miner.statistics.overflowLines),
                                           freshStart: stage.freshStart)
            let triage = DaemonStatus.Triage(threshold: settings.triageThreshold, warmupWindows: stage.triage.configuration.warmupWindows,
                                             learnedWindows: stage.triage.learnedWindows, assessed: stage.triage.statistics.assessed,
                                             escalated: stage.triage.statistics.escalated)
            service.monitor.update { f in
                f.sources = sources
                f.miner = miner
                f.triage = triage
            }
        }

        static func describe(_ checkpoint: Checkpoint) -> String {
            switch checkpoint.position {
            case let .journalCursor(cursor): "cursor \(cursor.prefix(48))"
            case let .file(p): "\(p.path):\(p.offset)"
            }
        }

        /// The miner's templates, with the operator's label where one was set on exactly that text.
        func templates(_ query: TemplateQuery) async -> [TemplateRecord] {
            let labels = Dictionary(await service.reasoning.operatorLabels().map { ($0.templateText, $0) }, uniquingKeysWith: { a, _ in a })
            let records = stage.miner.templates.map { t -> TemplateRecord in
                let seen = stage.templateTimes.seen[t.id]
                return TemplateRecord(id: t.id.rawValue, text: t.text, count: Int(t.matches),
                                      firstSeen: seen?.first.microsecondsSinceEpoch ?? 0,
                                      lastSeen: seen?.last.microsecondsSinceEpoch ?? 0,
                                      operatorLabel: labels[t.text].map {
                                          .init(label: $0.label.rawValue, note: $0.note, time: $0.time ?? 0)
                                      })
            }
            return query.select(records)
        }

        /// An operator's label for a template becomes a reasoning override for its text, as a
        /// pattern; a template too broad to label (`LabelReach`) is refused unless `force`.
        func labelTemplate(_ id: TemplateID, _ label: OperatorLabel, force: Bool) async -> Result<LabelTemplateReply, ControlError> {
            guard let text = stage.miner.template(for: id) else { return .failure(.templateNotFound(id)) }
            if !force, LabelReach.isTooBroad(text) {
                return .failure(.labelTooBroad(template: text, literalWords: LabelReach.literalWords(in: text)))
            }
            let changes: [VerdictCache.LabelChange]
            do {
                changes = try await service.reasoning.updateLabels { cache in
                    cache.changingLabels {
                        $0.setOverride(templateText: text, label: label.label, note: label.note, time: label.time.microsecondsSinceEpoch)
                    }
                }
            } catch {
                return .failure(ControlError(notSaved: error))
            }
            let matches = stage.miner.templates.first { $0.id == id }?.matches ?? 0
            let seen = stage.templateTimes.seen[id]
            let record = TemplateRecord(id: id.rawValue, text: text, count: Int(matches),
                                        firstSeen: seen?.first.microsecondsSinceEpoch ?? 0,
                                        lastSeen: seen?.last.microsecondsSinceEpoch ?? 0,
                                        verdict: label.label.rawValue,
                                        operatorLabel: .init(label: label.label.rawValue, note: label.note,
                                                             time: label.time.microsecondsSinceEpoch))
            return .success(LabelTemplateReply(template: record, changes: changes.map(LabelChange.init)))
        }

        /// Shutdown: what is queued, every open window, the verdicts still coming (bounded),
        /// then the final checkpoints and snapshots.
        mutating func drain() async {
            let deadline = ContinuousClock.now + settings.shutdownTimeout * 3 / 4
            await escalate(stage.flush())
            if let engine = service.reasoning.current.engine {
                service.stopStep.withLock { $0 = .awaitingVerdicts }
                await engine.shutdown()
                // A verdict that never comes (a hung endpoint) must not hold the loop past the
                // deadline: a tick posted then wakes `receive`.
                let wake = Task { [channel = service.channel] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    channel.post(.tick)
                }
                defer { wake.cancel() }
                while !stage.pending.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled,
                      let event = await service.channel.receive() {
                    if case .judged = event { await handle(event) } else if case .tick = event {
                        service.tickPending.store(false, ordering: .releasing)
                    } else if case let .listTemplates(_, reply) = event {
                        reply.resume(returning: [])
                    } else if case let .labelTemplate(id, _, _, reply) = event {
                        reply.resume(returning: .failure(.templateNotFound(id)))
                    } else if case let .reconfigure(_, reply) = event {
                        reply.resume(returning: .failure(.configuration(key: "reload", reason: "the daemon is stopping")))
                    }
                }
            }
            if !stage.pending.isEmpty {
                logger.warning("shutdown before every verdict arrived; storing those alerts as skipped",
                               metadata: ["windows": "\(stage.pending.count)"])
            }
            for ticket in stage.pending.keys.sorted() {
                if let e = stage.release(ticket: ticket) { store(e.window, e.suspicion, .skipped("shutdown before a verdict")) }
            }
            service.stopStep.withLock { $0 = .committingCheckpoints }
            commitCheckpoints()
            service.stopStep.withLock { $0 = .savingMinerSnapshot }
            saveMiner()
            service.stopStep.withLock { $0 = .savingTriageSnapshot }
            saveTriage()
            refreshFigures()
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
