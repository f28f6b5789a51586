import RationCore

/// Judges escalated windows with an LLM under the RationAnomaly contract: one prompt per
/// template (cached by template text), a window-level prompt for count/sequence suspicion,
/// every reply verified, and a budget that answers `skipped(…)` instead of waiting.
///
/// Two ways in: `judge` (await one verdict; never blocks on budget) and `submit`
/// (non-blocking; bounded priority queue; results on `results`). Ingestion uses `submit`.
public actor ReasoningEngine {
    public let configuration: ReasoningConfiguration
    /// Verdicts of submitted windows, in completion order. Bounded: see
    /// `ReasoningStatistics.resultsDropped`.
    public nonisolated let results: AsyncStream<WindowJudgement>

    private let pool: EndpointPool
    private let models: [String]
    private let builder: PromptBuilder
    private let verifier = ReplyVerifier()
    private var cache: VerdictCache
    /// Operator labels and `reasoning.few_shot_file` rows, for few-shot examples.
    private var fewShot: FewShotSelector
    /// Examples and prompt version per template text; cleared whenever a label changes.
    private var promptContexts: [String: PromptContext] = [:]

    /// What a template's prompt carries besides the template: the few-shot examples, and the
    /// prompt version that keys its verdict in the cache (the base version, plus a fingerprint
    /// of the examples when there are any), so a verdict judged without a newer label's
    /// example is not served for a prompt that now carries it.
    struct PromptContext: Sendable {
        var examples: [LabelledExample]
        var version: String
    }
    private var stats = ReasoningStatistics()
    private var rateLimiter: CallRateLimiter
    private var inFlight = 0
    private var pending: [VerdictCache.Key: Task<Verdict, Never>] = [:]

    private struct Item: Sendable {
        var ticket: UInt64
        var window: Window
        var suspicion: Suspicion
        var rejudge: Bool
    }

    /// The submit side: guarded by a lock so `submit` needs no hop onto the actor.
    private struct Inbox: Sendable {
        var queue: SuspicionQueue<Item>
        var workers = 0
        var pumpScheduled = false
        var rejected = 0
        var evicted = 0
        var dropped = 0
    }

    private nonisolated let inbox: LockedState<Inbox>
    private nonisolated let maxConcurrent: Int
    private nonisolated let queueCapacity: Int
    private var deferred: [Item] = []
    private var rejudgeTask: Task<Void, Never>?
    private var saveTask: Task<Void, Never>?
    private var cacheDirty = false
    /// False once `retire` handed the cache to a successor.
    private var persisting = true
    /// The damaged cache file set aside when this engine opened the cache, if any.
    public nonisolated let cacheRecovery: Recovery?
    private nonisolated let continuation: AsyncStream<WindowJudgement>.Continuation

    /// HTTP endpoints, the verdict cache (`cachePath`) and the few-shot file from the
    /// configuration. A corrupt cache file is moved aside and reported in
    /// `statistics.cacheWarning`; an unreadable few-shot file is an error naming its line.
    public init(configuration: ReasoningConfiguration) throws(ReasoningError) {
        var recovery: Recovery?
        var cache = VerdictCache(capacity: configuration.cacheSize, maxBytes: configuration.cacheMaxBytes)
        if let path = configuration.cachePath {
            (cache, recovery) = VerdictCache.openRecovering(path: path, capacity: configuration.cacheSize,
                                                            maxBytes: configuration.cacheMaxBytes)
        }
        try configuration.validate()
        self.init(configuration: configuration, pool: try EndpointPool(configuration: configuration),
                  models: configuration.endpoints.map(\.model), cache: cache, cacheRecovery: recovery,
                  fewShotExamples: try Self.fileExamples(configuration))
    }

    /// HTTP endpoints from the configuration (reads API keys and the few-shot file now).
    public init(configuration: ReasoningConfiguration, cache: VerdictCache) throws(ReasoningError) {
        try configuration.validate()
        self.init(configuration: configuration, pool: try EndpointPool(configuration: configuration),
                  models: configuration.endpoints.map(\.model), cache: cache, fewShotExamples: try Self.fileExamples(configuration))
    }

    /// Any backend (the oracle, a test double) behind one circuit breaker. Reads no file:
    /// labelled templates for few-shot examples come as `fewShotExamples`.
    public init(configuration: ReasoningConfiguration, backend: any ChatBackend, model: String, cache: VerdictCache,
                fewShotExamples: [LabelledExample] = []) {
        let pool = EndpointPool(members: [.init(name: model, backend: backend)], circuitBreaker: configuration.circuitBreaker,
                                maxRetryAfter: configuration.maxRetryAfter)
        self.init(configuration: configuration, pool: pool, models: [model], cache: cache, fewShotExamples: fewShotExamples)
    }

    private static func fileExamples(_ configuration: ReasoningConfiguration) throws(ReasoningError) -> [LabelledExample] {
        guard configuration.fewShot.maxExamples > 0, let path = configuration.fewShot.examplesPath else { return [] }
        return try FewShotFile.load(path: path)
    }

    private init(configuration: ReasoningConfiguration, pool: EndpointPool, models: [String], cache: VerdictCache,
                 cacheRecovery: Recovery? = nil, fewShotExamples: [LabelledExample]) {
        self.configuration = configuration
        self.cacheRecovery = cacheRecovery
        self.stats.cacheWarning = cacheRecovery?.reason
        self.pool = pool
        self.models = models
        self.builder = PromptBuilder(prompts: configuration.prompts)
        self.cache = cache
        var fewShot = FewShotSelector(configuration: configuration.fewShot, instruction: configuration.prompts.templateInstruction,
                                      examples: fewShotExamples)
        for override in cache.operatorOverrides { fewShot.add(Self.example(override)) }
        self.fewShot = fewShot
        self.rateLimiter = CallRateLimiter(limit: configuration.callsPerMinute)
        self.inbox = LockedState(Inbox(queue: SuspicionQueue(capacity: configuration.queueCapacity)))
        self.maxConcurrent = configuration.maxConcurrent
        self.queueCapacity = configuration.queueCapacity
        (results, continuation) = AsyncStream.makeStream(
            of: WindowJudgement.self,
            bufferingPolicy: .bufferingOldest(configuration.queueCapacity * 4 + configuration.rejudgeCapacity))
    }

    public var statistics: ReasoningStatistics {
        var s = stats
        inbox.withLock { inbox in
            s.queueDepth = inbox.queue.count
            s.queueRejected = inbox.rejected
            s.queueEvicted = inbox.evicted
            s.resultsDropped += inbox.dropped
            s.skipped += inbox.evicted
        }
        s.inFlight = inFlight
        s.deferred = deferred.count
        s.callsLeftThisMinute = rateLimiter.remaining(now: .now)
        return s
    }

    public func endpointHealth() async -> [EndpointPool.Health] { await pool.health() }

    // MARK: Operator overrides

    /// An operator's label for a template text: wins over every model verdict from now on
    /// (the next window with the template costs no call), is written to the cache file before
    /// this returns, and becomes a few-shot example for similar templates.
    /// A failed write is only recorded in `statistics.cacheWarning` here (the label holds in
    /// memory and the file is rewritten on the next save); `updateLabels` throws it instead.
    public func setOverride(templateText: String, label: Verdict.Label, note: String? = nil, time: Int64? = nil) {
        cache.setOverride(templateText: templateText, label: label, note: note, time: time)
        labelsChanged()
    }

    public func removeOverride(templateText: String) {
        cache.removeOverride(templateText: templateText)
        labelsChanged()
    }

    /// An operator's label on an alert, passed on to the templates it implies (see
    /// `VerdictCache.applyAlertLabel`). Returns the texts labelled.
    @discardableResult
    public func applyAlertLabel(templateTexts: [String], label: Verdict.Label, note: String? = nil, alert: UInt64,
                                time: Int64? = nil) -> [String] {
        let texts = cache.applyAlertLabel(templateTexts: templateTexts, label: label, note: note, alert: alert, time: time)
        labelsChanged()
        return texts
    }

    /// Any change to the operator labels: applied, written to the cache file before this
    /// returns, and reflected in the few-shot examples. A write that fails twice throws: the
    /// change holds in memory and the file is rewritten on the next save, but the operator
    /// must hear that it is not on disk yet.
    @discardableResult
    public func updateLabels<Result: Sendable>(_ change: @Sendable (inout VerdictCache) -> Result) throws(ReasoningError) -> Result {
        let result = change(&cache)
        fewShot.replaceOperatorExamples(cache.operatorOverrides.map(Self.example))
        promptContexts.removeAll()
        cacheDirty = true
        try saveNow()
        return result
    }

    /// Hands the cache over to the engine that replaces this one (a reload): saved one last
    /// time, then never written again, so verdicts this engine still gives while draining cannot
    /// overwrite labels the new engine has taken since. Pass the result to the new engine's `adopt`.
    public func retire() -> VerdictCache {
        flushCache()
        persisting = false
        return cache
    }

    /// Takes in the cache of the engine this one replaces (see `retire`): its labels and
    /// verdicts count here unless this engine already has newer ones, and the file is rewritten.
    public func adopt(_ predecessor: VerdictCache) {
        cache.merge(predecessor)
        labelsChanged()
    }

    /// Every operator label (template and alert-implied), ordered by template text.
    public var operatorLabels: [VerdictCache.Override] { cache.operatorOverrides }

    private func labelsChanged() {
        fewShot.replaceOperatorExamples(cache.operatorOverrides.map(Self.example))
        promptContexts.removeAll()
        cacheDirty = true
        flushCache()
    }

    /// Writes the cache at once, trying twice; on failure it stays dirty, so the next save
    /// (periodic or on shutdown) tries again, and the error is recorded and thrown.
    private func saveNow() throws(ReasoningError) {
        saveTask?.cancel()
        saveTask = nil
        guard persisting else { return }
        do {
            try cache.save()
        } catch {
            do { try cache.save() } catch {
                stats.cacheWarning = error.description
                throw error
            }
        }
        cacheDirty = false
    }

    private static func example(_ override: VerdictCache.Override) -> LabelledExample {
        LabelledExample(templateText: override.templateText, label: override.label, analysis: override.note, origin: .operator)
    }

    // MARK: Direct judgement

    public func judge(_ window: Window, suspicion: Suspicion) async -> Verdict {
        await judgeDetailed(window, suspicion: suspicion).verdict
    }

    public func judgeDetailed(_ window: Window, suspicion: Suspicion, ticket: UInt64 = 0) async -> WindowJudgement {
        stats.windowsJudged += 1
        var verdicts: [TemplateID: Verdict] = [:]
        var order: [TemplateID] = []
        var decided = false
        for id in window.distinctTemplates {
            let lines = Self.lines(of: id, in: window)
            let text = window.templates[id] ?? lines.first ?? id.description
            // Once a trusted abnormal is found the window is decided: later templates are
            // read from the cache but cost no calls.
            let verdict = decided ? (cachedVerdict(for: text) ?? .skipped("window already abnormal"))
                : await judgeTemplate(text: text, lines: lines)
            verdicts[id] = verdict
            order.append(id)
            if verdict.isTrustedAbnormal { decided = true }
        }
        var windowVerdict: Verdict?
        let allNormal = !verdicts.isEmpty && verdicts.values.allSatisfy { $0.label == .normal }
        if allNormal, configuration.windowPromptEnabled, Self.isSequenceSuspicion(suspicion) {
            windowVerdict = await judgeWindowPrompt(window, suspicion: suspicion)
        }
        let verdict = combine(order: order, verdicts: verdicts, windowVerdict: windowVerdict, window: window)
        return WindowJudgement(ticket: ticket, window: window, suspicion: suspicion, verdict: verdict,
                               templateVerdicts: verdicts, windowVerdict: windowVerdict, rejudged: false)
    }

    // MARK: Queue

    /// Enqueues a window without waiting: synchronous, nonisolated, a lock held for a heap
    /// insert — ingestion never waits for the engine, its disk writes or the LLM. False when
    /// the queue is full of windows at least as suspicious (store the alert as skipped then).
    /// A more suspicious window evicts the least suspicious queued one, whose result arrives
    /// on `results` as `skipped`.
    public nonisolated func submit(_ window: Window, suspicion: Suspicion, ticket: UInt64 = 0) -> Bool {
        let item = Item(ticket: ticket, window: window, suspicion: suspicion, rejudge: false)
        let (accepted, evicted, wake) = inbox.withLock { inbox -> (Bool, Item?, Bool) in
            var evicted: Item?
            switch inbox.queue.insert(item, score: suspicion.score) {
            case .inserted: break
            case let .insertedEvicting(item):
                inbox.evicted += 1
                evicted = item
            case .rejected:
                inbox.rejected += 1
                return (false, nil, false)
            }
            let wake = !inbox.pumpScheduled && inbox.workers < maxConcurrent
            if wake { inbox.pumpScheduled = true }
            return (true, evicted, wake)
        }
        if let evicted {
            let judgement = WindowJudgement(ticket: evicted.ticket, window: evicted.window, suspicion: evicted.suspicion,
                                            verdict: .skipped("queue full (\(queueCapacity)); more suspicious windows first"),
                                            templateVerdicts: [:], windowVerdict: nil, rejudged: evicted.rejudge)
            if case .dropped = continuation.yield(judgement) { inbox.withLock { $0.dropped += 1 } }
        }
        if wake { Task { await self.pump() } }
        return accepted
    }

    /// Stops re-judging and ends `results` once the queue is empty; saves the cache.
    public func shutdown() {
        rejudgeTask?.cancel()
        rejudgeTask = nil
        deferred.removeAll()
        flushCache()
        shuttingDown = true
        finishIfDrained()
    }

    private var shuttingDown = false

    private func finishIfDrained() {
        guard shuttingDown else { return }
        if inbox.withLock({ $0.queue.isEmpty && $0.workers == 0 }) { continuation.finish() }
    }

    private func pump() {
        let maxConcurrent = self.maxConcurrent
        let items = inbox.withLock { inbox -> [Item] in
            inbox.pumpScheduled = false
            var items: [Item] = []
            while inbox.workers < maxConcurrent, let item = inbox.queue.popMax() {
                inbox.workers += 1
                items.append(item)
            }
            return items
        }
        for item in items { Task { await self.process(item) } }
        finishIfDrained()
    }

    private func process(_ item: Item) async {
        var judgement = await judgeDetailed(item.window, suspicion: item.suspicion, ticket: item.ticket)
        judgement.rejudged = item.rejudge
        inbox.withLock { $0.workers -= 1 }
        if case .skipped = judgement.verdict.status, configuration.rejudgeSkipped, !shuttingDown {
            if !item.rejudge { emit(judgement) }
            deferred.append(Item(ticket: item.ticket, window: item.window, suspicion: item.suspicion, rejudge: true))
            if deferred.count > configuration.rejudgeCapacity { deferred.removeFirst() }
            scheduleRejudge()
        } else {
            emit(judgement)
        }
        pump()
    }

    private func scheduleRejudge() {
        guard rejudgeTask == nil else { return }
        let interval = configuration.rejudgeInterval
        rejudgeTask = Task {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            self.rejudgeNow()
        }
    }

    /// Puts every deferred window back in the queue now (also runs on the re-judge timer).
    public func rejudgeNow() {
        rejudgeTask = nil
        let items = deferred
        deferred = inbox.withLock { inbox in
            items.filter { item in
                if case .rejected = inbox.queue.insert(item, score: item.suspicion.score) { return true }
                return false
            }
        }
        pump()
        if !deferred.isEmpty { scheduleRejudge() }
    }

    private func emit(_ judgement: WindowJudgement) {
        if case .dropped = continuation.yield(judgement) { stats.resultsDropped += 1 }
    }

    // MARK: Templates

    private func cachedVerdict(for text: String) -> Verdict? {
        let version = promptContext(for: text).version
        for model in models {
            if let hit = cache.lookup(.init(templateText: text, model: model, promptVersion: version)) {
                return hit
            }
        }
        return nil
    }

    func promptContext(for text: String) -> PromptContext {
        if let known = promptContexts[text] { return known }
        let examples = fewShot.select(for: text)
        let base = configuration.prompts.version
        let context = PromptContext(examples: examples,
                                    version: examples.isEmpty ? base : base + "+fs." + FewShotSelector.fingerprint(examples))
        if promptContexts.count >= 4096 { promptContexts.removeAll(keepingCapacity: true) }
        promptContexts[text] = context
        return context
    }

    private func judgeTemplate(text: String, lines: [String]) async -> Verdict {
        if let hit = cachedVerdict(for: text) {
            stats.cacheHits += 1
            if hit.status == .operatorOverride { stats.overrideHits += 1 }
            return hit
        }
        let context = promptContext(for: text)
        let key = VerdictCache.Key(templateText: text, model: models[0], promptVersion: context.version)
        if let running = pending[key] {
            stats.cacheHits += 1
            var shared = await running.value
            shared.cached = true
            return shared
        }
        if !context.examples.isEmpty { stats.fewShotPrompts += 1 }
        let request = ChatRequest(messages: builder.templateMessages(templateText: text, examples: context.examples),
                                  temperature: configuration.temperature,
                                  maxTokens: configuration.maxTokens, constraint: configuration.constraint,
                                  subject: .template(text: text, lines: lines))
        // The examples are in the prompt: quoting one (as a comparison) is not made-up evidence.
        let evidence = [text] + lines + context.examples.map(\.templateText)
        let task = Task { await self.ask(request, evidence: evidence, lineCount: 0) }
        pending[key] = task
        let verdict = await task.value
        pending[key] = nil
        switch verdict.status {
        case .skipped: break
        default:
            let answeredBy = verdict.model.flatMap { models.contains($0) ? $0 : nil } ?? models[0]
            cache.store(verdict, for: .init(templateText: text, model: answeredBy, promptVersion: context.version))
            persistCache()
        }
        return verdict
    }

    private func judgeWindowPrompt(_ window: Window, suspicion: Suspicion) async -> Verdict {
        // Cached per template set and kind of evidence: the cost scales with distinct
        // combinations, not with windows.
        let key = VerdictCache.Key.window(templateTexts: window.distinctTemplates.map { window.templates[$0] ?? $0.description },
                                          reasons: suspicion.reasons.map(\.kind.rawValue), model: models[0],
                                          promptVersion: configuration.prompts.version)
        if let hit = cache.lookup(key) {
            stats.cacheHits += 1
            return hit
        }
        stats.windowPrompts += 1
        let verdict = await askWindow(window, suspicion: suspicion)
        if case .skipped = verdict.status {} else {
            cache.store(verdict, for: key)
            persistCache()
        }
        return verdict
    }

    private func askWindow(_ window: Window, suspicion: Suspicion) async -> Verdict {
        let messages = builder.windowMessages(window: window, suspicion: suspicion)
        let lines = window.events.map(\.message)
        let request = ChatRequest(messages: messages, temperature: configuration.temperature,
                                  maxTokens: configuration.maxTokens, constraint: configuration.constraint,
                                  subject: .window(lines: lines))
        let evidence = lines + window.templates.values + [messages.last?.content ?? ""]
        return await ask(request, evidence: evidence, lineCount: min(window.distinctTemplates.count, builder.maxTemplatesInWindowPrompt))
    }

    /// One request with verification and up to `verificationRetries` retries.
    private func ask(_ request: ChatRequest, evidence: [String], lineCount: Int) async -> Verdict {
        var latency = Duration.zero
        var promptTokens = 0, completionTokens = 0
        var last: (outcome: ReplyVerifier.Outcome?, reason: String, model: String)?
        for attempt in 0...configuration.verificationRetries {
            if let refusal = await acquireCall() {
                guard let last else { return skipped(refusal) }
                return unverified(last, reason: last.reason + "; retry not sent: \(refusal)", latency: latency,
                                  promptTokens: promptTokens, completionTokens: completionTokens)
            }
            stats.calls += 1
            let reply: ChatReply
            do {
                reply = try await pool.complete(request)
                inFlight -= 1
            } catch {
                inFlight -= 1
                if case let .malformedReply(_, detail) = error {
                    stats.rejectedReplies += 1
                    last = (nil, "malformed reply (attempt \(attempt + 1)): \(detail)", models[0])
                    continue
                }
                stats.endpointFailures += 1
                if let last {
                    return unverified(last, reason: last.reason + "; retry failed: \(error)", latency: latency,
                                      promptTokens: promptTokens, completionTokens: completionTokens)
                }
                return skipped(error.description)
            }
            latency += reply.latency
            promptTokens += reply.promptTokens ?? 0
            completionTokens += reply.completionTokens ?? 0
            stats.promptTokens += reply.promptTokens ?? 0
            stats.completionTokens += reply.completionTokens ?? 0
            let outcome = verifier.verify(content: reply.content, constraint: request.constraint, evidence: evidence,
                                          lineCount: lineCount, finishReason: reply.finishReason)
            if outcome.isVerified {
                stats.verified += 1
                return Verdict(label: outcome.label, status: .verified, rationale: outcome.think, model: reply.model,
                               verifierScore: outcome.score, latency: latency, promptTokens: promptTokens,
                               completionTokens: completionTokens)
            }
            stats.rejectedReplies += 1
            last = (outcome, "attempt \(attempt + 1): " + outcome.failureSummary, reply.model)
        }
        return unverified(last!, reason: last!.reason, latency: latency, promptTokens: promptTokens,
                          completionTokens: completionTokens)
    }

    private func unverified(_ last: (outcome: ReplyVerifier.Outcome?, reason: String, model: String), reason: String,
                            latency: Duration, promptTokens: Int, completionTokens: Int) -> Verdict {
        stats.unverified += 1
        return Verdict(label: last.outcome?.label, status: .unverified(reason: reason), rationale: last.outcome?.think ?? "",
                       model: last.model, verifierScore: last.outcome?.score, latency: latency,
                       promptTokens: promptTokens, completionTokens: completionTokens)
    }

    private func skipped(_ reason: String) -> Verdict {
        stats.skipped += 1
        return .skipped(reason)
    }

    /// Nil when a call may start now (and counts it in flight); otherwise why not.
    private func acquireCall() async -> String? {
        guard inFlight < configuration.maxConcurrent else {
            return "concurrency limit: \(inFlight) requests in flight (max_concurrent \(configuration.maxConcurrent))"
        }
        guard await pool.isAvailable() else {
            let health = await pool.health()
            return "endpoint unavailable: " + health.map { h in
                "\(h.name) \(h.blockedFor.map { "blocked for \(EndpointPool.format($0))" } ?? "probe in flight")"
            }.joined(separator: "; ")
        }
        // Re-check: other calls may have started while this one awaited the pool.
        guard inFlight < configuration.maxConcurrent else {
            return "concurrency limit: \(inFlight) requests in flight (max_concurrent \(configuration.maxConcurrent))"
        }
        guard rateLimiter.tryAcquire(now: .now) else {
            return "call budget exhausted: \(configuration.callsPerMinute) calls per minute"
        }
        inFlight += 1
        return nil
    }

    /// Marks the cache dirty and saves it within `cacheSaveInterval`: one rewrite for a burst
    /// of new verdicts, not one per verdict.
    private func persistCache() {
        cacheDirty = true
        guard saveTask == nil else { return }
        let interval = configuration.cacheSaveInterval
        saveTask = Task {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            self.flushCache()
        }
    }

    /// Writes the verdict cache now if anything changed (also done by `shutdown`).
    public func flushCache() {
        saveTask?.cancel()
        saveTask = nil
        guard cacheDirty, persisting else { return }
        cacheDirty = false
        do throws(ReasoningError) { try cache.save() } catch {
            stats.cacheWarning = error.description
            cacheDirty = true
        }
    }

    // MARK: Combining

    private static func lines(of id: TemplateID, in window: Window, limit: Int = 20) -> [String] {
        var seen = Set<String>()
        var lines: [String] = []
        for event in window.events where event.templateID == id && lines.count < limit {
            if seen.insert(event.message).inserted { lines.append(event.message) }
        }
        return lines
    }

    /// Count, transition and burst evidence is about the window, not one template.
    static func isSequenceSuspicion(_ suspicion: Suspicion) -> Bool {
        suspicion.reasons.contains { [.countDeviation, .rareTransition, .burst].contains($0.kind) }
    }

    private func combine(order: [TemplateID], verdicts: [TemplateID: Verdict], windowVerdict: Verdict?, window: Window) -> Verdict {
        let all = order.compactMap { id in verdicts[id].map { (id, $0) } } + (windowVerdict.map { [(TemplateID(UInt64.max), $0)] } ?? [])
        func name(_ id: TemplateID) -> String { id.rawValue == UInt64.max ? "window" : id.description }
        var rationale = all.map { id, v in
            "\(name(id)) \(v.label?.rawValue ?? "-") [\(Self.describe(v.status))\(v.cached ? ", cached" : "")]: \(v.rationale.prefix(400))"
        }.joined(separator: "\n")
        if rationale.count > 4000 { rationale = String(rationale.prefix(4000)) + "…" }
        let fresh = all.map(\.1).filter { !$0.cached }
        var result = Verdict(label: nil, status: .skipped(reason: "no templates"), rationale: rationale,
                             model: all.lazy.compactMap(\.1.model).first,
                             verifierScore: all.compactMap(\.1.verifierScore).min(),
                             latency: fresh.compactMap(\.latency).reduce(Duration.zero, +),
                             promptTokens: fresh.compactMap(\.promptTokens).reduce(0, +),
                             completionTokens: fresh.compactMap(\.completionTokens).reduce(0, +),
                             cached: fresh.isEmpty && !all.isEmpty)
        if let (_, trusted) = all.first(where: { $0.1.isTrustedAbnormal }) {
            result.label = .abnormal
            result.status = trusted.status
        } else if let (id, claimed) = all.first(where: { $0.1.label == .abnormal }) {
            result.label = .abnormal
            result.status = .unverified(reason: "\(name(id)): " + Self.describe(claimed.status))
        } else if let (id, skipped) = all.first(where: { if case .skipped = $0.1.status { true } else { false } }) {
            result.label = nil
            result.status = .skipped(reason: "\(name(id)): " + Self.reason(skipped.status))
        } else if let (id, doubtful) = all.first(where: { if case .unverified = $0.1.status { true } else { false } }) {
            // Normal only when every reply at least claimed normal; a reply without a label says nothing.
            result.label = all.allSatisfy({ $0.1.label == .normal }) ? .normal : nil
            result.status = .unverified(reason: "\(name(id)): " + Self.reason(doubtful.status))
        } else if !all.isEmpty {
            result.label = .normal
            result.status = all.allSatisfy({ $0.1.status == .operatorOverride }) ? .operatorOverride : .verified
        }
        return result
    }

    static func reason(_ status: Verdict.Status) -> String {
        switch status {
        case .verified: "verified"
        case .operatorOverride: "operator override"
        case let .unverified(reason), let .skipped(reason): reason
        }
    }

    static func describe(_ status: Verdict.Status) -> String {
        switch status {
        case .verified: "verified"
        case .operatorOverride: "operator override"
        case let .unverified(reason): "unverified: \(reason)"
        case let .skipped(reason): "skipped: \(reason)"
        }
    }
}
