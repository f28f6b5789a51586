import RationCore

/// What the miner says about one line.
public struct MinedLine: Sendable, Hashable {
    public var templateID: TemplateID
    /// The line's values at the template's `<*>` positions, in order.
    public var parameters: [String]
    /// True when this line created its template.
    public var isNewTemplate: Bool

    public init(templateID: TemplateID, parameters: [String], isNewTemplate: Bool) {
        self.templateID = templateID
        self.parameters = parameters
        self.isNewTemplate = isNewTemplate
    }
}
