extension AlertRecord {
    /// The verdict in one phrase, worded the same in `rationctl alerts`, `rationd alerts` and the
    /// journal entry: the operator's label wins (`abnormal (operator)`); a verified model
    /// verdict is its label alone; anything else carries its status (`normal (unverified)`,
    /// `none (skipped: call budget exhausted)`), so an untrusted verdict never reads like a
    /// trusted one.
    public func verdictText(withReason: Bool = true) -> String {
        if let op = operatorLabel { return "\(op.label) (operator)" }
        let label = verdict.label ?? "none"
        if verdict.status == "verified" { return label }
        let reason = withReason ? verdict.reason.map { ": \($0)" } ?? "" : ""
        return "\(label) (\(verdict.status)\(reason))"
    }
}
