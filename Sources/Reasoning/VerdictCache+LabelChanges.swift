import RationCore

extension VerdictCache {
    /// One template's operator label before and after a change: what `rationctl label` reports.
    public struct LabelChange: Sendable, Hashable {
        public var templateText: String
        /// Nil: the template had no label of its own text.
        public var old: Verdict.Label?
        /// Nil: the label was withdrawn.
        public var new: Verdict.Label?
        /// How the new label matches (nil when withdrawn).
        public var match: Override.Match?

        public init(templateText: String, old: Verdict.Label?, new: Verdict.Label?, match: Override.Match?) {
            self.templateText = templateText
            self.old = old
            self.new = new
            self.match = match
        }
    }

    /// The labels that differ between two sets of overrides (label, note, origin or match), by
    /// template text; a label set again unchanged apart from its time is reported too, since the
    /// operator asked for it.
    public static func labelChanges(from before: [Override], to after: [Override]) -> [LabelChange] {
        let old = Dictionary(before.map { ($0.templateText, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.map { ($0.templateText, $0) }, uniquingKeysWith: { a, _ in a })
        return Set(old.keys).union(new.keys).sorted().compactMap { text in
            let o = old[text], n = new[text]
            guard o != n else { return nil }
            return LabelChange(templateText: text, old: o?.label, new: n?.label, match: n?.effectiveMatch)
        }
    }

    /// Applies `change` and reports the labels it changed.
    public mutating func changingLabels(_ change: (inout VerdictCache) -> Void) -> [LabelChange] {
        let before = operatorOverrides
        change(&self)
        return Self.labelChanges(from: before, to: operatorOverrides)
    }
}
