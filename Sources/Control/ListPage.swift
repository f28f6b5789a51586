/// `ListAlerts` reply: one page; `next` is set when more alerts match.
public struct AlertPage: Sendable, Hashable, Codable {
    public var alerts: [AlertRecord]
    public var next: String?
    public init(alerts: [AlertRecord], next: String? = nil) {
        self.alerts = alerts
        self.next = next
    }
}

/// `ListTemplates` reply: one page; `next` is set when more templates match.
public struct TemplatePage: Sendable, Hashable, Codable {
    public var templates: [TemplateRecord]
    public var next: String?
    public init(templates: [TemplateRecord], next: String? = nil) {
        self.templates = templates
        self.next = next
    }
}
