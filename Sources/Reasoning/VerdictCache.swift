import Foundation
import RationCore

/// Verdicts per template text, model and prompt version, persisted as one JSON file written
/// atomically. Operator overrides win over everything: a label set on a template matches as
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
    }

    struct FileModel: Codable {
        var format: Int
        var entries: [Entry]
        var overrides: [Override]
    }

    /// Nil: memory only.
    public let path: String?
    /// Most entries kept; the oldest go first.
    public let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var overrides: [String: Override] = [:]
    private var sequence: UInt64 = 0

    public init(path: String? = nil, capacity: Int = 100_000) {
        self.path = path
        self.capacity = capacity
    }

    /// Loads `path` when it exists. A file that is not a cache is an error naming it.
    public static func open(path: String, capacity: Int = 100_000) throws(ReasoningError) -> VerdictCache {
        var cache = VerdictCache(path: path, capacity: capacity)
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch { throw .cache(path: path, detail: error.description) }
        guard let bytes else { return cache }
        let model: FileModel
        do { model = try JSONDecoder().decode(FileModel.self, from: Data(bytes)) } catch {
            throw .cache(path: path, detail: "not a verdict cache: \(OpenAIChatClient.describe(error))")
        }
        guard model.format == 1 else { throw .cache(path: path, detail: "format \(model.format) is newer than this rationd") }
        for entry in model.entries {
            cache.entries[entry.key] = entry
            cache.sequence = max(cache.sequence, entry.sequence)
        }
        for override in model.overrides { cache.overrides[override.templateText] = override }
        return cache
    }

    /// Like `open`, but a corrupt file is moved aside (`<path>.damaged-<time>`) and an empty
    /// cache returned with the recovery, so a bad file never stops the daemon and nothing is lost.
    public static func openRecovering(path: String, capacity: Int = 100_000) -> (VerdictCache, recovery: Recovery?) {
        do throws(ReasoningError) {
            return (try open(path: path, capacity: capacity), nil)
        } catch {
            let aside = Recovery.moveAside(path)
            return (VerdictCache(path: path, capacity: capacity),
                    Recovery(what: "verdict cache", path: path, movedTo: aside,
                             reason: "\(error); " + (aside.map { "moved aside to \($0), starting empty" } ?? "starting empty")))
        }
    }

    public var count: Int { entries.count }
    public var overrideCount: Int { overrides.count }
    /// Every operator override, by template text (for exports of the operator's labels).
    public var operatorOverrides: [Override] { overrides.values.sorted { $0.templateText < $1.templateText } }

    /// The cached or overriding verdict for a template, marked `cached`.
    public mutating func lookup(_ key: Key) -> Verdict? {
        if !key.isWindow, let override = override(for: key.templateText) {
            return Verdict(label: override.label, status: .operatorOverride, rationale: override.note ?? "operator override",
                           cached: true)
        }
        if var verdict = entries[key]?.verdict {
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
        entries[key] = Entry(key: key, verdict: stored, sequence: sequence)
        if entries.count > capacity, let oldest = entries.values.min(by: { $0.sequence < $1.sequence }) {
            entries[oldest.key] = nil
        }
    }

    /// An operator's label for a template text. A label set on the template itself (`alert`
    /// nil) is a pattern (`<*>` matches any run of characters); one implied by an alert's label
    /// matches that exact text only, and never replaces one set on the template itself; false
    /// when it was not applied for that reason.
    @discardableResult
    public mutating func setOverride(templateText: String, label: Verdict.Label, note: String? = nil,
                                     alert: UInt64? = nil, time: Int64? = nil) -> Bool {
        if alert != nil, let existing = overrides[templateText], existing.alert == nil { return false }
        overrides[templateText] = Override(templateText: templateText, label: label, note: note, alert: alert, time: time,
                                           match: alert == nil ? .pattern : .exact)
        return true
    }

    public mutating func removeOverride(templateText: String) {
        overrides[templateText] = nil
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
        for (key, entry) in other.entries.sorted(by: { $0.value.sequence < $1.value.sequence }) where entries[key] == nil {
            store(entry.verdict, for: key)
        }
        for (text, override) in other.overrides where overrides[text] == nil { overrides[text] = override }
    }

    /// Writes the whole cache atomically; a no-op for a memory-only cache.
    public func save() throws(ReasoningError) {
        guard let path else { return }
        let model = FileModel(format: 1, entries: entries.values.sorted { $0.sequence < $1.sequence },
                              overrides: overrides.values.sorted { $0.templateText < $1.templateText })
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try DurableFile.write(Array(try encoder.encode(model)), to: path, mode: 0o640)
        } catch let error as DurableFileError {
            throw .cache(path: path, detail: error.description)
        } catch {
            throw .cache(path: path, detail: "cannot encode: \(error)")
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
        let instances = entries.values.filter {
            !$0.key.isWindow && $0.key.model == key.model && $0.key.promptVersion == key.promptVersion && $0.key.templateText != key.templateText
                && pattern.matches($0.key.templateText)
        }
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
