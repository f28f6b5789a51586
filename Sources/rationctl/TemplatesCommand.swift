import AlertFilterOptions
import ArgumentParser
import Control
import RationCore

struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "templates", abstract: "List the most frequent mined templates.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "At most this many templates (default 20).") var limit: Int?
    @Option(name: .customLong("new-since"), help: ArgumentHelp("Only templates first seen since TIME (1h, ISO 8601, @EPOCH).", valueName: "time"))
    var newSince: String?

    func validate() throws {
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1") }
        if let t = newSince, TimeText.parse(t) == nil { throw ValidationError("--new-since: \"\(t)\" is not a time") }
    }

    func run() throws {
        let since = newSince.flatMap { TimeText.parse($0) }
        let templates = try global.withClient { client in
            try Paging.collect(wanted: limit ?? TemplateQuery.defaultLimit) { limit, after in
                let reply = try client.call("io.rationd.ListTemplates", TemplateQuery(limit: limit, newSince: since, after: after),
                                            as: TemplatePage.self)
                return (reply.templates, reply.next)
            }
        }
        if global.json { return try Output.json(templates) }
        if templates.isEmpty { return Output.line("no templates") }
        Output.line(Table(["ID", "COUNT", "FIRST SEEN", "VERDICT", "TEXT"], rightAligned: [0, 1], rows: templates.map {
            [String($0.id), String($0.count), TimeText.timestamp($0.firstSeen),
             $0.operatorLabel.map { "\($0.label) (operator)" } ?? $0.verdict ?? "-", $0.text]
        }).render())
    }
}

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label", abstract: "Set an operator verdict on an alert or a template (overrides the model).",
        discussion: """
            A template's label is a pattern: <*> in its text matches any run of characters. The labels \
            an alert implies (normal: every template of its window; abnormal: its one template) match \
            their exact template text only. A template with fewer than two literal words (words other \
            than <*>) is refused unless --force. Prints each template label changed, old -> new. \
            Needs root or the daemon's user.
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case alert, template }
    enum Label: String, ExpressibleByArgument, CaseIterable { case normal, abnormal }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "alert or template.") var kind: Kind
    @Argument(help: "The alert or template id.") var id: UInt64
    @Argument(help: "normal or abnormal.") var label: Label
    @Option(help: "Why, kept with the label.") var note: String?
    @Flag(help: "Also label templates with fewer than two literal words (they match almost any line).")
    var force = false

    func run() throws {
        let parameters = LabelParameters(id: id, label: label.rawValue, note: note, force: force ? true : nil)
        let changes: [LabelChange]
        switch kind {
        case .alert:
            let reply = try global.withClient { try $0.call("io.rationd.LabelAlert", parameters, as: LabelAlertReply.self) }
            if global.json { return try Output.json(reply) }
            Output.line("alert \(reply.alert.id) labelled \(label.rawValue)")
            changes = reply.changes
        case .template:
            let reply = try global.withClient { try $0.call("io.rationd.LabelTemplate", parameters, as: LabelTemplateReply.self) }
            if global.json { return try Output.json(reply) }
            Output.line("template \(reply.template.id) labelled \(label.rawValue)")
            changes = reply.changes
        }
        for change in changes { Output.line("  " + Self.describe(change)) }
    }

    /// `"disk <*> failed": none -> normal (exact)`; the text escaped for the terminal.
    static func describe(_ change: LabelChange) -> String {
        let match = change.match.map { " (\($0))" } ?? ""
        return "\"\(TerminalText.escaped(change.template))\": \(change.oldLabel ?? "none") -> \(change.newLabel ?? "none")\(match)"
    }
}
