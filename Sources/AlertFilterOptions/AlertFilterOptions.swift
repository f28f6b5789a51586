import ArgumentParser
import Control

/// The `ListAlerts` filters as command-line options, shared by `rationctl alerts` (over the
/// control socket) and `rationd alerts` (straight from the store), so both accept and mean
/// the same thing.
public struct AlertFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Alerts last seen since TIME: 90s, 15m, 1h30m, 2d, 2w (ago), 2026-11-26T10:00:00Z, or @EPOCH.", valueName: "time"))
    public var since: String?
    @Option(help: ArgumentHelp("Alerts first seen until TIME (same forms as --since).", valueName: "time"))
    public var until: String?
    @Option(help: "Only alerts with events from this systemd unit.")
    public var unit: String?
    @Option(help: "Only alerts from this source (journal, files.NAME).")
    public var source: String?
    @Option(help: "abnormal, normal, unknown (no verdict) or skipped (reasoning skipped).")
    public var verdict: String?
    @Option(name: .customLong("min-score"), help: ArgumentHelp(
        "Only alerts whose triage score is at least BITS (surprise in bits, 0 and up; the default [triage] threshold is 8).",
        valueName: "bits"))
    public var minScore: Double?
    @Option(help: "Operator label: abnormal, normal, or none.")
    public var label: String?
    @Option(help: "Only alerts whose messages or templates contain this text (case-insensitive).")
    public var text: String?
    @Option(help: "At most this many alerts, newest first (default 100).")
    public var limit: Int?

    public init() {}

    public func validate() throws {
        if let v = verdict, !AlertQuery.verdictValues.contains(v) {
            throw ValidationError("--verdict must be one of \(AlertQuery.verdictValues.joined(separator: ", "))")
        }
        if let l = label, !AlertQuery.labelValues.contains(l) {
            throw ValidationError("--label must be one of \(AlertQuery.labelValues.joined(separator: ", "))")
        }
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1") }
        if let s = minScore, !s.isFinite { throw ValidationError("--min-score must be a number") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeText.parse(value) == nil {
                throw ValidationError("\(name): \"\(value)\" is not a time (1h, 2026-11-26T10:00:00Z, @EPOCH)")
            }
        }
    }

    public var query: AlertQuery {
        AlertQuery(since: since.flatMap { TimeText.parse($0) }, until: until.flatMap { TimeText.parse($0) },
                   unit: unit, source: source, verdict: verdict, minScore: minScore, label: label, text: text, limit: limit)
    }
}
