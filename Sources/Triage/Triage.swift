#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RationCore

/// Scores each closed window cheaply and decides whether it goes to the reasoning stage.
///
/// Evidence: never-seen and rare templates, rare transitions between templates, a rarely
/// seen template-count vector, severe events, and event-rate bursts. Everything is learned
/// online from the windows themselves (no labels), for each source apart: what is rare is
/// rare among that source's windows, so a chatty source cannot make a quiet one's routine
/// events look rare, and a new source warms up on its own. It survives restarts through
/// `snapshot()` / `init(snapshot:)`. A value type without I/O or clock: the escalation budget
/// (shared, as it protects the LLM) runs on window end times.
public struct Triage: Sendable {
    public let configuration: TriageConfiguration
    public internal(set) var statistics = TriageStatistics()
    /// What was learned, by source (at most `configuration.maxSources`).
    var baselines: [SourceID: SourceBaseline] = [:]
    var budget: EscalationBudget

    public init(configuration: TriageConfiguration = .default) throws(TriageError) {
        try configuration.validate()
        self.configuration = configuration
        budget = EscalationBudget(perHour: configuration.escalationBudgetPerHour)
    }

    /// Windows learned so far, all sources together.
    public var learnedWindows: Int { baselines.values.reduce(0) { $0 + $1.model.windows } }
    /// True until `warmupWindows` windows of `source` have been learned: nothing of that
    /// source escalates meanwhile.
    public func isWarmingUp(_ source: SourceID) -> Bool {
        (baselines[source]?.model.windows ?? 0) < configuration.warmupWindows
    }

    /// Whether a suspicion's score reaches the threshold, escalated or not (warm-up, budget).
    public func isSuspicious(_ suspicion: Suspicion) -> Bool { suspicion.score >= configuration.threshold }

    /// Scores `window`, decides escalation, then learns from it (per `configuration.learning`).
    public mutating func assess(_ window: Window) -> Suspicion {
        let profile = WindowProfile(window)
        var baseline = takeBaseline(window.source)
        defer { putBaseline(baseline, window.source) }
        let lookups = lookUp(profile, source: window.source, in: baseline)
        var suspicion = score(profile, lookups, window, baseline)
        statistics.assessed += 1
        if isSuspicious(suspicion) {
            statistics.overThreshold += 1
            if baseline.model.windows < configuration.warmupWindows {
                statistics.suppressedByWarmup += 1
            } else if budget.take(at: window.end) {
                suspicion.escalated = true
                statistics.escalated += 1
            } else {
                statistics.suppressedByBudget += 1
            }
        }
        if configuration.learning == .allWindows || !suspicion.escalated {
            learn(profile, lookups, source: window.source, into: &baseline)
        }
        return suspicion
    }

    /// Scores `window` without escalating or learning.
    public func score(_ window: Window) -> Suspicion {
        let profile = WindowProfile(window)
        let baseline = baselines[window.source] ?? SourceBaseline()
        return score(profile, lookUp(profile, source: window.source, in: baseline), window, baseline)
    }

    /// Learns from `window` without scoring it (seeding a model from known-normal history).
    public mutating func learn(_ window: Window) {
        let profile = WindowProfile(window)
        var baseline = takeBaseline(window.source)
        defer { putBaseline(baseline, window.source) }
        learn(profile, lookUp(profile, source: window.source, in: baseline), source: window.source, into: &baseline)
    }

    /// Moves a source's baseline out (uniquely held while it is updated in place).
    private mutating func takeBaseline(_ source: SourceID) -> SourceBaseline {
        baselines.removeValue(forKey: source) ?? SourceBaseline()
    }

    /// Puts a baseline back; past `maxSources` another source, the one with the fewest
    /// windows, is forgotten (never the one just learned, or a new source could not stay).
    private mutating func putBaseline(_ baseline: SourceBaseline, _ source: SourceID) {
        baselines[source] = baseline
        if baselines.count > configuration.maxSources,
           let least = baselines.lazy.filter({ $0.key != source })
               .min(by: { ($0.value.model.windows, $0.key) < ($1.value.model.windows, $1.key) }) {
            baselines[least.key] = nil
        }
    }

    /// What the model knows about a window's templates, transitions and count vector, looked
    /// up once and shared by scoring and learning.
    ///
    /// Positions in the model's tables are kept so learning updates known entries without
    /// hashing again (valid until the tables change: learning updates through them before it
    /// inserts anything). One array per kind of entry: this runs for every window.
    struct Lookups {
        struct Template {
            /// Nil for a never-seen template.
            var stats: TriageModel.TemplateStats?
            var index: Dictionary<TemplateID, TriageModel.TemplateStats>.Index?
        }

        struct Transition {
            /// Both ends are known templates.
            var known: Bool
            /// In how many windows the transition was seen.
            var seen: Int
            var index: Dictionary<TriageModel.Transition, Int>.Index?
        }

        /// Aligned with `profile.counts`.
        var templates: [Template]
        /// Aligned with `profile.transitions`.
        var transitions: [Transition]
        var signatureSeen: Int
        var hasNewTemplate: Bool
        /// The window's source in `model.sources`.
        var sourceIndex: Dictionary<SourceID, TriageModel.SourceRate>.Index?
    }

    func lookUp(_ profile: WindowProfile, source: SourceID, in baseline: SourceBaseline) -> Lookups {
        let model = baseline.model
        var templates: [Lookups.Template] = []
        templates.reserveCapacity(profile.counts.count)
        var hasNewTemplate = false
        for (id, _) in profile.counts {
            let index = model.templates.index(forKey: id)
            templates.append(.init(stats: index.map { model.templates.values[$0] }, index: index))
            if index == nil { hasNewTemplate = true }
        }
        func known(_ end: UInt64) -> Bool {
            end == TriageModel.Transition.boundary || templates[profile.index(of: TemplateID(end))!].stats != nil
        }
        var transitions: [Lookups.Transition] = []
        transitions.reserveCapacity(profile.transitions.count)
        for t in profile.transitions {
            let index = model.transitions.index(forKey: t)
            transitions.append(.init(known: known(t.previous) && known(t.next),
                                     seen: index.map { model.transitions.values[$0] } ?? 0, index: index))
        }
        return Lookups(templates: templates, transitions: transitions,
                       signatureSeen: model.signatures[profile.signature] ?? 0, hasNewTemplate: hasNewTemplate,
                       sourceIndex: model.sources.index(forKey: source))
    }

    // MARK: scoring

    func score(_ profile: WindowProfile, _ lookups: Lookups, _ window: Window, _ baseline: SourceBaseline) -> Suspicion {
        let model = baseline.model
        var reasons: [SuspicionReason] = []
        let n = Double(max(model.windows, 1))
        let rare = configuration.rareFraction
        let weights = configuration.weights
        func text(_ id: TemplateID) -> String {
            guard let t = window.templates[id] else { return id.description }
            // At most 80 bytes is at most 80 characters: no character count for short texts.
            return t.utf8.count > 80 && t.count > 80 ? "\(id) '\(t.prefix(77))...'" : "\(id) '\(t)'"
        }
        func add(_ kind: SuspicionReason.Kind, _ bits: Double, _ id: TemplateID?, _ previous: TemplateID? = nil,
                 _ detail: @autoclosure () -> String) {
            // The detail text is written only for a reason that counts.
            let s = weights.weight(kind) * bits
            if s > 0 { reasons.append(SuspicionReason(kind: kind, score: s, templateID: id, previousTemplateID: previous,
                                                      detail: detail())) }
        }

        // Templates: never seen (how many, against how many new templates a window usually
        // brings), or in fewer than `rareFraction` of windows.
        let lambda = model.newTemplatesPerWindow
        let newTemplateWindowRate = -expm1(-lambda)
        let hasNewTemplate = lookups.hasNewTemplate
        if hasNewTemplate {
            let newIDs = profile.counts.indices.filter { lookups.templates[$0].stats == nil }.map { profile.counts[$0].id }
            let bits = -log2(TriageModel.poissonTail(atLeast: newIDs.count, lambda: model.newTemplatesPerWindowLowerBound))
            let of = newIDs.count > 1 ? " (one of \(newIDs.count) new templates)" : ""
            for id in newIDs {
                add(.newTemplate, bits, id, nil, "\(text(id)) never seen in \(model.windows) windows\(of)")
            }
        }
        for (k, (id, _)) in profile.counts.enumerated() {
            guard let stats = lookups.templates[k].stats, stats.windows > 0 else { continue }
            let p = Double(stats.windows) / n
            if p < rare {
                add(.rareTemplate, -log2(max(p, newTemplateWindowRate)), id, nil,
                    "\(text(id)) in \(stats.windows) of \(model.windows) windows")
            }
        }

        // Transitions between known templates.
        let newTransitionRate = model.noveltyRate(model.windowsWithNewTransition)
        for (k, t) in profile.transitions.enumerated() where lookups.transitions[k].known {
            let seen = lookups.transitions[k].seen
            let p = Double(seen) / n
            guard seen == 0 || p < rare else { continue }
            let previous = t.previous == TriageModel.Transition.boundary ? nil : TemplateID(t.previous)
            let next = t.next == TriageModel.Transition.boundary ? nil : TemplateID(t.next)
            let name = "\(previous.map { $0.description } ?? "start") -> \(next.map { $0.description } ?? "end")"
            add(.rareTransition, -log2(max(p, newTransitionRate)), next, previous,
                "\(name) in \(seen) of \(model.windows) windows")
        }

        // The template-count vector, when every template is known (a new template already
        // makes it new).
        if !hasNewTemplate {
            let seen = lookups.signatureSeen
            let p = Double(seen) / n
            if seen == 0 || p < rare {
                let bits = -log2(max(p, model.noveltyRate(model.windowsWithNewSignature)))
                let (id, deviation) = mostDeviatingTemplate(profile, lookups, baseline)
                add(.countDeviation, bits, id, nil,
                    "count vector in \(seen) of \(model.windows) windows" + (deviation.map { "; \($0)" } ?? ""))
            }
        }

        // Severity per template: its level's score plus log2 of how many such events the window
        // holds (at most +4), halved when routine for the template.
        for (id, priority, events) in profile.severity {
            var bits = (priority <= .crit ? configuration.criticalScore
                : priority == .err ? configuration.errorScore : configuration.warningScore)
                + min(4, log2(Double(events)))
            var detail = events > 1 ? "\(events) \(priority) events \(text(id))" : "\(priority) event \(text(id))"
            if let k = profile.index(of: id), let stats = lookups.templates[k].stats, model.windows > 0,
               Double(stats.severeWindows) / n >= configuration.commonSeverityFraction
            {
                bits /= 2
                detail += " (routine: in \(stats.severeWindows) of \(model.windows) windows)"
            }
            add(.severity, bits, id, nil, detail)
        }

        // Burst: the window's event rate against its source's usual rate.
        if let usual = lookups.sourceIndex.map({ model.sources.values[$0] }), usual.windows >= 10, usual.rate > 0,
           window.eventCount >= configuration.burstMinimumEvents,
           profile.rate >= configuration.burstRatio * usual.rate
        {
            add(.burst, log2(profile.rate / usual.rate), nil, nil,
                "\(Self.format(profile.rate)) events/s vs usual \(Self.format(usual.rate))/s from \(window.source)")
        }

        return combine(reasons)
    }

    /// Sum over kinds of each kind's strongest reason; reasons strongest first, at most
    /// `maxReasons`, always keeping each kind's strongest.
    func combine(_ reasons: consuming [SuspicionReason]) -> Suspicion {
        // Most windows have no reason at all, or one: no sorting or tables for them.
        if reasons.count <= 1 {
            return Suspicion(score: reasons.first?.score ?? 0, reasons: reasons, escalated: false)
        }
        var ordered = reasons
        ordered.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.kind != b.kind { return Self.nameOrder(a.kind) < Self.nameOrder(b.kind) }
            return (a.templateID?.rawValue ?? 0, a.previousTemplateID?.rawValue ?? 0)
                < (b.templateID?.rawValue ?? 0, b.previousTemplateID?.rawValue ?? 0)
        }
        // Each kind's strongest reason leads; the others follow, as many as fit.
        var total = 0.0
        var seen: UInt8 = 0
        var leaders = 0
        for reason in ordered {
            let bit: UInt8 = 1 << Self.nameOrder(reason.kind)
            if seen & bit == 0 {
                seen |= bit
                total += reason.score
                leaders += 1
            }
        }
        var othersLeft = max(0, configuration.maxReasons - leaders)
        var kept: [SuspicionReason] = []
        kept.reserveCapacity(leaders + min(othersLeft, ordered.count - leaders))
        seen = 0
        for reason in ordered {
            let bit: UInt8 = 1 << Self.nameOrder(reason.kind)
            if seen & bit == 0 {
                seen |= bit
                kept.append(reason)
            }
        }
        seen = 0
        for reason in ordered where othersLeft > 0 {
            let bit: UInt8 = 1 << Self.nameOrder(reason.kind)
            if seen & bit == 0 {
                seen |= bit
            } else {
                othersLeft -= 1
                kept.append(reason)
            }
        }
        kept.sort { $0.score > $1.score }
        return Suspicion(score: total, reasons: kept, escalated: false)
    }

    /// A kind's position in the alphabetical order of raw values (the tie-break between
    /// equal scores), without comparing strings.
    static func nameOrder(_ kind: SuspicionReason.Kind) -> Int {
        switch kind {
        case .burst: 0
        case .countDeviation: 1
        case .newTemplate: 2
        case .rareTemplate: 3
        case .rareTransition: 4
        case .severity: 5
        }
    }

    /// The template whose count is furthest from its usual count (in deviations), including
    /// usual templates missing from the window.
    private func mostDeviatingTemplate(_ profile: WindowProfile, _ lookups: Lookups,
                                       _ baseline: SourceBaseline) -> (TemplateID?, String?) {
        let model = baseline.model
        // The text is written for the winner only.
        var best: (id: TemplateID, z: Double, count: Int?)?
        func consider(_ id: TemplateID, _ z: Double, _ count: Int?) {
            if best == nil || z > best!.z || (z == best!.z && id < best!.id) { best = (id, z, count) }
        }
        for (k, (id, count)) in profile.counts.enumerated() {
            guard let stats = lookups.templates[k].stats else { continue }
            consider(id, abs(Double(count) - stats.meanCount) / max(stats.countDeviation, 0.5), count)
        }
        for id in baseline.usualTemplates where profile.count(of: id) == nil {
            guard let stats = model.templates[id] else { continue }
            consider(id, stats.meanCount / max(stats.countDeviation, 0.5), nil)
        }
        guard let best, best.z >= 1, let stats = model.templates[best.id] else { return (nil, nil) }
        let text = if let count = best.count {
            "\(best.id) x\(count) vs usual \(Self.format(stats.meanCount))"
        } else {
            "\(best.id) absent, usually x\(Self.format(stats.meanCount)) in \(stats.windows) of \(model.windows) windows"
        }
        return (best.id, text)
    }


    static func format(_ x: Double) -> String {
        let scaled = (x * 10).rounded() / 10
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }

    // MARK: learning

    mutating func learn(_ profile: WindowProfile, _ lookups: Lookups, source: SourceID, into baseline: inout SourceBaseline) {
        let newTemplate = lookups.hasNewTemplate
        var introduced = 0
        var newTransition = false
        for k in profile.transitions.indices where lookups.transitions[k].known && lookups.transitions[k].seen == 0 {
            newTransition = true
        }
        // Known entries are updated in place first; new ones are inserted after (an insertion
        // may rehash and invalidate the looked-up positions).
        var newTemplates: [(TemplateID, TriageModel.TemplateStats)] = []
        for (k, (id, count)) in profile.counts.enumerated() {
            var stats = lookups.templates[k].stats ?? { introduced += 1; return .init() }()
            stats.windows += 1
            stats.countSum += Double(count)
            stats.countSquareSum += Double(count * count)
            if profile.isSevere(id) { stats.severeWindows += 1 }
            if let index = lookups.templates[k].index {
                baseline.model.templates.values[index] = stats
            } else {
                newTemplates.append((id, stats))
            }
        }
        for (id, stats) in newTemplates { baseline.model.templates[id] = stats }
        var newTransitions: [TriageModel.Transition] = []
        for (k, t) in profile.transitions.enumerated() {
            if let index = lookups.transitions[k].index {
                baseline.model.transitions.values[index] += 1
            } else {
                newTransitions.append(t)
            }
        }
        for t in newTransitions { baseline.model.transitions[t] = 1 }
        if !newTemplate && lookups.signatureSeen == 0 { baseline.model.windowsWithNewSignature += 1 }
        baseline.model.signatures[profile.signature] = lookups.signatureSeen + 1
        if baseline.model.windows > 0 { baseline.model.templateIntroductions += introduced }
        if newTransition { baseline.model.windowsWithNewTransition += 1 }
        baseline.model.windows += 1
        if baseline.model.windows & (baseline.model.windows - 1) == 0 || baseline.model.windows % 256 == 0 { baseline.refreshUsualTemplates() }

        var rate = lookups.sourceIndex.map { baseline.model.sources.values[$0] } ?? .init()
        rate.rate = rate.windows == 0 ? profile.rate : 0.95 * rate.rate + 0.05 * profile.rate
        rate.windows += 1
        if let index = lookups.sourceIndex { baseline.model.sources.values[index] = rate } else { baseline.model.sources[source] = rate }
        statistics.learned += 1

        TriageModel.prune(&baseline.model.templates, cap: configuration.maxTemplates) { $0.windows }
        TriageModel.prune(&baseline.model.transitions, cap: configuration.maxTransitions) { $0 }
        TriageModel.prune(&baseline.model.signatures, cap: configuration.maxSignatures) { $0 }
        TriageModel.prune(&baseline.model.sources, cap: configuration.maxSources) { $0.windows }
    }
}

/// Counters for status output and evaluations.
public struct TriageStatistics: Sendable, Hashable, Codable {
    public var assessed = 0
    public var learned = 0
    /// Windows whose score reached the threshold.
    public var overThreshold = 0
    public var escalated = 0
    public var suppressedByWarmup = 0
    public var suppressedByBudget = 0
    public init() {}
}
