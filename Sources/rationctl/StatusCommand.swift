import AlertFilterOptions
import ArgumentParser
import Control
import RationCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's sources, queues, LLM budget and store.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Acknowledge the recoveries listed (damaged state files set aside), clearing them. Needs root or the daemon's user.")
    var ack = false

    func run() throws {
        if ack {
            struct Reply: Codable { var acknowledged: Int }
            let reply = try global.withClient { try $0.call("io.rationd.AcknowledgeRecoveries", NoParameters(), as: Reply.self) }
            if global.json { return try Output.json(reply) }
            return Output.line("acknowledged \(reply.acknowledged) recover\(reply.acknowledged == 1 ? "y" : "ies")")
        }
        let status = try global.withClient { try $0.call("io.rationd.GetStatus", NoParameters(), as: DaemonStatus.self) }
        if global.json { return try Output.json(status) }
        var lines: [String] = []
        lines.append("version:   \(status.version)")
        lines.append("uptime:    \(TimeText.duration(seconds: status.uptimeSeconds))")
        let miner = status.miner
        lines.append("templates: \(miner.templates) (\(miner.newTemplatesLastHour) new in the last hour, \(miner.merged) merged into more general ones, \(miner.overflowLines) lines over the new-template limit)")
        if let fresh = miner.freshStart {
            lines.append("           miner and triage started empty: \(fresh)")
        }
        if let t = status.triage {
            lines.append("triage:    threshold \(t.threshold) bits, \(t.learnedWindows) windows learned (warm-up \(t.warmupWindows)), \(t.escalated) of \(t.assessed) escalated")
        }
        let llm = status.llm
        lines.append("llm:       \(llm.calls) calls, \(llm.cacheHits) cache hits, \(llm.failures) failures, \(llm.skipped) skipped, budget \(llm.budgetLeft)/\(llm.budgetPerMinute) per minute\(llm.demo ? " (demo model: verdicts not trusted)" : "")")
        let store = status.store
        lines.append("store:     \(store.alerts) alerts, \(TimeText.bytes(store.bytes)) of \(TimeText.bytes(store.capacityBytes))\(store.oldestAlert.map { ", oldest \(TimeText.timestamp($0))" } ?? "")")
        if let removed = store.removedBySource, let carried = store.carriedAlerts {
            let bySource = removed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("           ring: \(store.protectedAlerts ?? 0) protected records held, \(carried) alerts carried forward, "
                         + "\(removed.values.reduce(0, +)) records removed\(bySource.isEmpty ? "" : " (\(bySource))")")
        }
        if let id = status.lastAlert {
            lines.append("last alert: \(id)\(status.lastAlertTime.map { " at \(TimeText.timestamp($0))" } ?? "")")
        } else {
            lines.append("last alert: none")
        }
        if let restart = status.restartNeeded, !restart.isEmpty {
            lines.append("restart needed for: " + restart.joined(separator: "; "))
        }
        if let recoveries = status.recoveries, !recoveries.isEmpty {
            let dropped = status.recoveriesDropped.map { " (and \($0) older not kept)" } ?? ""
            lines.append("recoveries: \(recoveries.count) damaged state file(s) set aside\(dropped); acknowledge with rationctl status --ack")
            for r in recoveries {
                lines.append("  \(TimeText.timestamp(r.time))  \(r.what): \(TerminalText.escaped(r.reason))")
            }
        }
        lines.append("")
        lines.append(Table(["SOURCE", "KIND", "RECORDS", "LAG", "ERRORS", "OVERFLOW", "CHECKPOINT"], rightAligned: [2, 3, 4, 5],
                           rows: status.sources.map {
                               [$0.name, $0.kind, String($0.records), $0.lagSeconds.map { TimeText.duration(seconds: $0) } ?? "-",
                                String($0.errors), String($0.overflowLines), $0.checkpoint ?? "-"]
                           }).render())
        lines.append("")
        lines.append(Table(["QUEUE", "DEPTH", "CAPACITY"], rightAligned: [1, 2],
                           rows: status.queues.map { [$0.name, String($0.depth), String($0.capacity)] }).render())
        Output.line(lines.joined(separator: "\n"))
    }
}

struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Re-read the daemon's configuration (kept unchanged if invalid).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        struct Reply: Codable { var changes: [String] }
        let reply = try global.withClient { try $0.call("io.rationd.Reload", NoParameters(), as: Reply.self) }
        if global.json { return try Output.json(reply) }
        Output.line(reply.changes.isEmpty ? "reloaded: no changes" : "reloaded:\n" + reply.changes.map { "  \($0)" }.joined(separator: "\n"))
    }
}
