import AlertFilterOptions
import ArgumentParser
import Control
import Foundation
import RationCore

struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "List, show or follow alerts.",
        subcommands: [List.self, Show.self, Follow.self], defaultSubcommand: List.self)

    struct Reply: Codable { var alerts: [AlertRecord] }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List recent alerts (the default).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: AlertFilterOptions

        func run() throws {
            let query = filters.query
            let alerts = try global.withClient { client in
                try Paging.collect(wanted: query.limit ?? AlertQuery.defaultLimit) { limit, after in
                    var page = query
                    page.limit = limit
                    page.after = after
                    let reply = try client.call("io.rationd.ListAlerts", page, as: AlertPage.self)
                    return (reply.alerts, reply.next)
                }
            }
            if global.json { return try Output.json(alerts) }
            Output.line(alerts.isEmpty ? "no alerts" : AlertText.table(alerts))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one alert with its window, scores and verdict.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert id.") var id: UInt64

        func run() throws {
            struct One: Codable { var alert: AlertRecord }
            let reply = try global.withClient { try $0.call("io.rationd.GetAlert", GetAlertParameters(id: id), as: One.self) }
            if global.json { return try Output.json(reply.alert) }
            Output.line(AlertText.detail(reply.alert))
        }
    }

    struct Follow: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "follow", abstract: "Print matching alerts, then each new one as it is raised (JSON: one object per line).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: AlertFilterOptions

        func run() throws {
            var query = filters.query
            if query.limit == nil { query.limit = 10 }
            query.limit = min(query.limit!, ListLimit.maximum)
            let parameters = try VarlinkJSON.value(query)
            var headerPrinted = false
            try global.withClient(timeout: nil) { client in
                try client.stream("io.rationd.ListAlerts", parameters: parameters) { value in
                    let reply = try VarlinkJSON.decode(Reply.self, from: value)
                    for alert in reply.alerts.reversed() {
                        if global.json { try Output.json(alert, pretty: false); continue }
                        Output.line(AlertText.row(alert, header: !headerPrinted))
                        headerPrinted = true
                    }
                    return true
                }
            }
        }
    }
}

/// How alerts read in a terminal.
enum AlertText {
    static let headers = ["ID", "LAST SEEN", "SOURCE", "SESSION", "SCORE", "VERDICT", "COUNT", "FIRST EVENT"]

    static func cells(_ a: AlertRecord) -> [String] {
        [String(a.id), TimeText.timestamp(a.lastSeen), a.source, a.sessionKey, String(format: "%.2f", a.score),
         a.verdictText(withReason: false), String(a.count), String((a.events.first?.message ?? "").prefix(60))].map { TerminalText.escaped($0) }
    }

    static func table(_ alerts: [AlertRecord]) -> String {
        Table(headers, rightAligned: [0, 4, 6], rows: alerts.map(cells)).render()
    }

    /// A follow line: fixed widths, since later alerts cannot re-align earlier lines.
    static func row(_ a: AlertRecord, header: Bool) -> String {
        let widths = [6, 20, 16, 24, 5, 18, 5]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i < widths.count ? c.padding(toLength: max(widths[i], c.count), withPad: " ", startingAt: 0) : c }
                .joined(separator: "  ")
        }
        return (header ? line(headers) + "\n" : "") + line(cells(a))
    }

    static func detail(_ a: AlertRecord) -> String {
        var out: [String] = []
        out.append("alert \(a.id)  \(a.source)  session \(a.sessionKey)\(a.host.map { "  host \($0)" } ?? "")")
        out.append("seen:     \(TimeText.timestamp(a.firstSeen)) .. \(TimeText.timestamp(a.lastSeen)), \(a.count) time(s)")
        out.append("window:   \(TimeText.timestamp(a.windowStart)) .. \(TimeText.timestamp(a.windowEnd)), \(a.eventCount) events")
        out.append("score:    \(String(format: "%.3f", a.score))\(a.escalated ? " (escalated)" : "")")
        for r in a.reasons {
            out.append("  \(r.kind.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(format: "%.3f", r.score))  \(r.detail)")
        }
        var v = "verdict:  \(a.verdict.label ?? "none") [\(a.verdict.status)\(a.verdict.reason.map { ": \($0)" } ?? "")]"
        if let m = a.verdict.model { v += " model \(m)" }
        if let s = a.verdict.verifierScore { v += String(format: " verifier %.2f", s) }
        if a.verdict.cached { v += " (cached)" }
        out.append(v)
        if !a.verdict.rationale.isEmpty { out.append("reasoning: \(a.verdict.rationale)") }
        if let op = a.operatorLabel {
            out.append("operator: \(op.label) at \(TimeText.timestamp(op.time))\(op.note.map { ": \($0)" } ?? "")")
        }
        out.append("")
        out.append("templates:")
        for t in a.templates { out.append("  T\(t.id)  \(t.text)") }
        out.append("")
        out.append("events (first \(a.events.count) of \(a.eventCount)):")
        for e in a.events {
            out.append("  \(TimeText.timestamp(e.time))  T\(e.template)  \(e.unit ?? "-")  \(e.message)")
        }
        return TerminalText.escapedLines(out)
    }
}
