import Foundation
import RationCore

/// Verdicts per template text, model and prompt version, at most `capacity` of them and
/// `maxBytes` of text, forgetting the least recently used first in O(1). Persisted as an
/// append-only file (`VerdictCache+File.swift`): a save appends what changed and rewrites the
/// file only when it holds twice the live records. Operator overrides win over everything: a label set on a template matches as
/// a pattern (`<*>` matches any run of characters), a label an alert implies matches its
/// template text exactly (see `Override.Match`).
/// A template whose text generalised (gained `<*>`) inherits the verdict of the instances
/// judged before when they all agree; otherwise it is judged again.
public struct VerdictCache: Sendable {
    public struct Key: Sendable, Hashable, Codable {
        public var templateText: String
        public var model: String
        public var promptVersion: String
        public init(templateText: String, model: String, promptVersion: String) {
            self.templateText = templateText
            self.model = model
            self.promptVersion = promptVersion
        }

        /// A window-prompt verdict: keyed by the window's distinct template texts (sorted) and
        /// the kinds of triage evidence. Never matched by overrides or generalisation.
        public static func window(templateTexts: [String], reasons: [String], model: String, promptVersion: String) -> Key {
            let text = windowPrefix + Set(reasons).sorted().joined(separator: ",") + "\u{1F}"
                + Set(templateTexts).sorted().joined(separator: "\u{1F}")
            return Key(templateText: text, model: model, promptVersion: promptVersion)
        }

        static let windowPrefix = "\u{1}window\u{1F}"
        public var isWindow: Bool { templateText.hasPrefix(Self.windowPrefix) }
    }

    public struct Override: Sendable, Hashable, Codable {
        /// How a label's text is compared with the template text being judged.
        public enum Match: String, Sendable, Hashable, Codable {
            /// Only that exact text: labels an alert implies, so labelling a window can never
            /// reach templates that were not in it.
            case exact
            /// `<*>` matches any run of characters: labels set on a template itself.
            case pattern
        }

        public var templateText: String
        public var label: Verdict.Label
        public var note: String?
        /// The alert whose label implied this one; nil for a label set on the template itself.
        public var alert: UInt64?
        /// When the operator set it (µs since the epoch); nil in files written before it was kept.
        public var time: Int64?
        /// Nil in files written before it was kept: such a label keeps the meaning it had then,
        /// a pattern (also when an alert implied it).
        public var match: Match?

        /// `match`, with the meaning of files written before it was kept.
        public var effectiveMatch: Match { match ?? .pattern }
    }

    struct Entry: Codable {
        var key: Key
        var verdict: Verdict
        var sequence: UInt64

        /// Bytes the entry holds: its strings, plus what a key, a verdict and a slot take
        /// (`scripts/memory-budget` prints it beside what entries take of the heap).
        var bytes: Int {
            key.templateText.utf8.count + key.model.utf8.count + key.promptVersion.utf8.count
                + verdict.rationale.utf8.count + (verdict.model?.utf8.count ?? 0) + Self.fixedBytes
        }

        static let fixedBytes = 400
    }

    /// Nil: memory only.
    public let path: String?
    /// Most verdicts kept (`reasoning.cache_size`); the least recently used go first.
    public var capacity: Int { entries.capacity }
    /// Most bytes the verdicts may hold (`reasoning.cache_max_bytes`), as `Entry.bytes` counts them.
    public var maxBytes: Int { entries.maxCost }
    var entries: LeastRecentlyUsedMap<Key, Entry>
    var overrides: [String: Override] = [:]
    var sequence: UInt64 = 0
    /// What changed since the file was last written, to append on the next save.
    var unsaved: [FileRecord] = []
    /// Records the file holds (live or superseded), for deciding when to compact it.
    var recordsOnFile = 0
    /// The file must be written whole on the next save (older format, torn tail, no file yet).
    var needsRewrite = true

    public static let defaultCapacity = 10_000
    public static let defaultMaxBytes = 16 << 20

    public init(path: String? = nil, capacity: Int = defaultCapacity, maxBytes: Int = defaultMaxBytes) {
        self.path = path
        entries = LeastRecentlyUsedMap(capacity: capacity, maxCost: maxBytes)
    }

    /// Loads `path` when it exists. A file that is not a cache is an error naming it; a torn
    /// last record (a crash during an append) is dropped.
    public static func open(path: String, capacity: Int = defaultCapacity,
                            maxBytes: Int = defaultMaxBytes) throws(ReasoningError) -> VerdictCache {
        var cache = VerdictCache(path: path, capacity: capacity, maxBytes: maxBytes)
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw .cache(path: path, detail: error.description) }
        guard let bytes else { return cache }
        try cache.load(bytes)
        return cache
    }

    /// Like `open`, but a corrupt file is moved aside (`<path>.damaged-<time>`) and an empty
    /// cache returned with the recovery, so a bad file never stops the daemon and nothing is lost.
    public static func openRecovering(path: String, capacity: Int = defaultCapacity,
                                      maxBytes: Int = defaultMaxBytes) -> (VerdictCache, recovery: Recovery?) {
        do throws(ReasoningError) {
            return (try open(path: path, capacity: capacity, maxBytes: maxBytes), nil)
        } catch {
            let aside = Recovery.moveAside(path)
            return (VerdictCache(path: path, capacity: capacity, maxBytes: maxBytes),
                    Recovery(what: "verdict cache", path: path, movedTo: aside,
                             reason: "\(error); " + (aside.map { "moved aside to \($0), starting empty" } ?? "starting empty")))
        }
    }

    public var count: Int { entries.count }
    /// Bytes the verdicts hold, as `Entry.bytes` counts them.
    public var bytes: Int { entries.totalCost }
    public var overrideCount: Int { overrides.count }
    /// Every operator override, by template text (for exports of the operator's labels).
    public var operatorOverrides: [Override] { overrides.values.sorted { $0.templateText < $1.templateText } }

    /// The cached or overriding verdict for a template, marked `cached`; a cached verdict
    /// becomes the most recently used.
    public mutating func lookup(_ key: Key) -> Verdict? {
        if !key.isWindow, let override = override(for: key.templateText) {
            return Verdict(label: override.label, status: .operatorOverride, rationale: override.note ?? "operator override",
                           cached: true)
        }
        if var verdict = entries.use(key)?.verdict {
            verdict.cached = true
            return verdict
        }
        guard !key.isWindow, TemplatePattern(key.templateText).hasWildcard, let inherited = inherit(key) else { return nil }
        store(inherited, for: key)
        return inherited
    }

    public mutating func store(_ verdict: Verdict, for key: Key) {
        if case .skipped = verdict.status { return }
        sequence += 1
        var stored = verdict
        stored.cached = false
        let entry = Entry(key: key, verdict: stored, sequence: sequence)
        entries.insert(entry, for: key, cost: entry.bytes)
        record(.verdict(entry))
    }

    /// An operator's label for a template text. A label set on the template itself (`alert`
    /// nil) is a pattern (`<*>` matches any run of characters); one implied by an alert's label
    /// matches that exact text only, and never replaces one set on the template itself; false
    /// when it was not applied for that reason.
    @discardableResult
    public mutating func setOverride(templateText: String, label: Verdict.Label, note: String? = nil,
                                     alert: UInt64? = nil, time: Int64? = nil) -> Bool {
        if alert != nil, let existing = overrides[templateText], existing.alert == nil { return false }
        let override = Override(templateText: templateText, label: label, note: note, alert: alert, time: time,
                                match: alert == nil ? .pattern : .exact)
        overrides[templateText] = override
        record(.label(override))
        return true
    }

    public mutating func removeOverride(templateText: String) {
        guard overrides.removeValue(forKey: templateText) != nil else { return }
        record(.unlabel(templateText))
    }

    /// An operator's label on an alert, passed on to the templates it implies
    /// (`LabelReach.impliedTemplates`), each matching its exact text only. Labels this alert
    /// implied before are withdrawn first; a label set on a template itself is never replaced.
    /// Returns the texts labelled.
    @discardableResult
    public mutating func applyAlertLabel(templateTexts: [String], label: Verdict.Label, note: String? = nil, alert: UInt64,
                                         time: Int64? = nil) -> [String] {
        for implied in operatorOverrides where implied.alert == alert { removeOverride(templateText: implied.templateText) }
        let implied = LabelReach.impliedTemplates(templateTexts, label: label)
        return implied.filter { setOverride(templateText: $0, label: label, note: note, alert: alert, time: time) }
    }

    /// Takes in what `other` knows and this cache does not: verdicts for keys it lacks, and
    /// operator labels for texts it has no label for (its own, newer, win).
    public mutating func merge(_ other: VerdictCache) {
        for (key, entry) in other.entries.leastRecentFirst where entries.peek(key) == nil {
            store(entry.verdict, for: key)
        }
        for (text, override) in other.overrides where overrides[text] == nil {
            overrides[text] = override
            record(.label(override))
        }
    }

    /// The label of exactly this text, else the most specific pattern label matching it.
    private func override(for templateText: String) -> Override? {
        if let exact = overrides[templateText] { return exact }
        return overrides.values.filter { $0.effectiveMatch == .pattern && TemplatePattern($0.templateText).matches(templateText) }
            .max { TemplatePattern($0.templateText).literalLength < TemplatePattern($1.templateText).literalLength }
    }

    /// Trusted verdicts of older texts that are instances of the generalised text; inherited
    /// only when they all carry the same label.
    private func inherit(_ key: Key) -> Verdict? {
        let pattern = TemplatePattern(key.templateText)
        let instances = Array(entries.values.filter {
            !$0.key.isWindow && $0.key.model == key.model && $0.key.promptVersion == key.promptVersion && $0.key.templateText != key.templateText
                && pattern.matches($0.key.templateText)
        })
        guard let first = instances.first, let label = first.verdict.label,
              instances.allSatisfy({ $0.verdict.label == label && $0.verdict.status == .verified })
        else { return nil }
        let sample = instances.prefix(3).map { "\"\($0.key.templateText)\"" }.joined(separator: ", ")
        return Verdict(label: label, status: .verified,
                       rationale: "generalises \(instances.count) judged template(s), all \(label.rawValue): \(sample)",
                       model: first.verdict.model, verifierScore: instances.compactMap(\.verdict.verifierScore).min(),
                       cached: true)
    }
}
