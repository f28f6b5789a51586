import AlertFilterOptions
import ArgumentParser
import Control

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
        struct Reply: Codable { var templates: [TemplateRecord] }
        let query = TemplateQuery(limit: limit, newSince: newSince.flatMap { TimeText.parse($0) })
        let reply = try global.withClient { try $0.call("io.rationd.ListTemplates", query, as: Reply.self) }
        if global.json { return try Output.json(reply.templates) }
        if reply.templates.isEmpty { return Output.line("no templates") }
        Output.line(Table(["ID", "COUNT", "FIRST SEEN", "VERDICT", "TEXT"], rightAligned: [0, 1], rows: reply.templates.map {
            [String($0.id), String($0.count), TimeText.timestamp($0.firstSeen),
             $0.operatorLabel.map { "\($0.label) (operator)" } ?? $0.verdict ?? "-", $0.text]
        }).render())
    }
}

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label", abstract: "Set an operator verdict on an alert or a template (overrides the model).",
        discussion: "Needs root or the daemon's user.")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case alert, template }
    enum Label: String, ExpressibleByArgument, CaseIterable { case normal, abnormal }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "alert or template.") var kind: Kind
    @Argument(help: "The alert or template id.") var id: UInt64
    @Argument(help: "normal or abnormal.") var label: Label
    @Option(help: "Why, kept with the label.") var note: String?

    func run() throws {
        let parameters = LabelParameters(id: id, label: label.rawValue, note: note)
        switch kind {
        case .alert:
            struct Reply: Codable { var alert: AlertRecord }
            let reply = try global.withClient { try $0.call("io.rationd.LabelAlert", parameters, as: Reply.self) }
            if global.json { return try Output.json(reply.alert) }
            Output.line("alert \(reply.alert.id) labelled \(label.rawValue)")
        case .template:
            struct Reply: Codable { var template: TemplateRecord }
            let reply = try global.withClient { try $0.call("io.rationd.LabelTemplate", parameters, as: Reply.self) }
            if global.json { return try Output.json(reply.template) }
            Output.line("template \(reply.template.id) labelled \(label.rawValue)")
        }
    }
}
