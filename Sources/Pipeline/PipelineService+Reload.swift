import Configuration
import Ingest
import Logging
import RationCore
import RationDaemon
import Triage

/// Reload: what changed in `[sources]`, `[triage]` and `[reasoning]` is applied to the running
/// pipeline. Unchanged sources keep their readers, windows and checkpoints; a removed source's
/// reader stops, its open windows are closed and assessed and its checkpoint is saved (adding
/// it back later resumes there); a changed source is reopened where its reader stopped.
extension PipelineService: LiveReconfigurable {
    /// `old` and `new` are the daemon's running configurations (settings that need a restart
    /// are the same in both).
    public func reconfigure(from old: RationdConfiguration, to new: RationdConfiguration) async throws {
        let change = try prepare(from: old, to: new)
        let result = await withCheckedContinuation { continuation in
            if !channel.post(.reconfigure(change, continuation)) {
                continuation.resume(returning: .failure(.configuration(key: "reload", reason: "the daemon is stopping")))
            }
        }
        try result.get()
    }

    /// Validates `new`, opens added sources and builds a new engine when `[reasoning]` changed.
    func prepare(from old: RationdConfiguration, to new: RationdConfiguration) throws(PipelineError) -> Reconfiguration {
        var next = try PipelineSettings(new)
        // Everything under the state directory stays where the pipeline opened it.
        next.stateDirectory = settings.stateDirectory
        next.reasoning?.cachePath = settings.verdictCachePath
        next.store = settings.store

        let before = Self.sourceSettings(old)
        let after = Self.sourceSettings(new)
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let changedIDs = Set(after.keys.filter { id in before[id].map { $0 != after[id] } ?? false })
        let addedIDs = Set(after.keys.filter { before[$0] == nil })
        var journalCheckpoints: [SourceID: Checkpoint] = [:]
        if addedIDs.contains("journal") {
            journalCheckpoints = try Self.loadJournalCheckpoints(settings, recoverer: recoverer)
        }
        var added: [OpenedSource] = []
        for source in next.sources where addedIDs.contains(source.id) {
            added.append(try Self.open(source, settings: next, journalCheckpoints: journalCheckpoints, recoverer: recoverer))
        }
        let changed = next.sources.filter { changedIDs.contains($0.id) }

        var reasoning: ReasoningSlot.Current?
        if old.reasoning != new.reasoning {
            let engine = try Self.makeEngine(next.reasoning)
            if let recovery = engine?.cacheRecovery { recoverer.report(recovery) }
            reasoning = .init(engine: engine, configuration: next.reasoning, demo: next.demo)
        }
        return Reconfiguration(settings: next, added: added, removed: removed, changed: changed,
                               triage: old.triage != new.triage ? next.triage : nil, reasoning: reasoning)
    }

    /// Each configured source's own settings, by source id, to tell added, removed and changed apart.
    static func sourceSettings(_ c: RationdConfiguration) -> [SourceID: AnyHashable] {
        var result: [SourceID: AnyHashable] = [:]
        if c.sources.journal.enabled { result["journal"] = AnyHashable(c.sources.journal) }
        for file in c.sources.files { result[SourceID("files.\(file.name)")] = AnyHashable(file) }
        return result
    }
}

extension PipelineService.StageLoop {
    /// Applies a prepared reload on the stage task.
    mutating func apply(_ change: Reconfiguration) async -> Result<Void, PipelineError> {
        guard !service.shutdownRequested.load(ordering: .acquiring) else {
            return .failure(.configuration(key: "reload", reason: "the daemon is stopping"))
        }
        if let triage = change.triage {
            // The learned model carries over; only the settings change.
            do { stage.triage = try Triage(snapshot: try stage.triage.snapshot(), configuration: triage) } catch {
                return .failure(.configuration(key: "triage", reason: "\(error)"))
            }
            logger.notice("triage settings applied", metadata: ["threshold": "\(change.settings.triageThreshold)"])
        }
        if let reasoning = change.reasoning {
            let old = service.reasoning.replace(with: reasoning)
            if let engine = reasoning.engine { service.forward(engine) }
            // Labels and verdicts the old engine holds carry over (it was created before the
            // last labels arrived); from now on only the new engine writes the cache file.
            if let retiring = old.engine {
                let cache = await retiring.retire()
                await reasoning.engine?.adopt(cache)
            }
            // Windows the old engine accepted are still judged; their verdicts arrive as before.
            await old.engine?.shutdown()
            if let capacity = reasoning.configuration?.rejudgeCapacity { awaitingRejudge.capacity = capacity }
            logger.notice("reasoning settings applied", metadata: ["reasoning": "\(reasoning.engine == nil ? "off" : "on")"])
        }
        settings = change.settings
        for id in change.removed { retire(id, reopenWith: nil) }
        for source in change.changed { retire(source.id, reopenWith: source) }
        for opened in change.added {
            let id = opened.settings.id
            if retiring[id] != nil {
                // Removed by an earlier reload and not stopped yet: reopen it where it stops.
                retiring[id] = .some(opened.settings)
                continue
            }
            do {
                try stage.addLane(id, sessionizer: opened.settings.sessionizer, windowedPriority: opened.settings.windowedPriority,
                                  restored: opened.restored)
            } catch {
                logger.error("cannot add the source", metadata: ["source": "\(id)", "error": "\(error)"])
                continue
            }
            let reader = SourceReader(source: opened.source, kind: opened.kind, channel: service.channel,
                                      batchSize: settings.batchSize, logger: logger)
            if service.readers.start(reader) { logger.notice("source added", metadata: ["source": "\(id)"]) }
        }
        refreshFigures()
        return .success(())
    }

    /// Asks the source's reader to stop; `retired` finishes the job once it has.
    mutating func retire(_ id: SourceID, reopenWith source: PipelineSettings.Source?) {
        guard let reader = service.readers.reader(id) else { return }
        retiring[id] = .some(source)
        reader.retire()
    }

    /// A retired reader ended and everything it read was handled: reopen the source with its
    /// new settings, or close its windows, save its checkpoint and forget it.
    mutating func retired(_ reader: SourceReader) async {
        service.readers.remove(reader)
        let id = reader.id
        finished.remove(id)
        idle.remove(id)
        let reopen = retiring.removeValue(forKey: id) ?? nil
        if let source = reopen, !service.shutdownRequested.load(ordering: .acquiring) {
            do {
                await escalate(try stage.restartLane(id, sessionizer: source.sessionizer, windowedPriority: source.windowedPriority))
                let opened = try PipelineService.reopen(source, at: stage.lanes[id]?.ledger.latest ?? [:], logger: logger)
                let next = SourceReader(source: opened, kind: source.kindName, channel: service.channel,
                                        batchSize: settings.batchSize, logger: logger)
                if service.readers.start(next) {
                    logger.notice("source reopened with its new settings", metadata: ["source": "\(id)"])
                    return
                }
            } catch {
                logger.error("cannot reopen the source with its new settings; it stays stopped until it is changed again or the daemon restarts",
                             metadata: ["source": "\(id)", "error": "\(error)"])
            }
        }
        await escalate(stage.closeLane(id))
        commitCheckpoints()
        stage.removeLane(id)
        logger.notice("source stopped", metadata: ["source": "\(id)"])
    }
}
