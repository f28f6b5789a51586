import RationCore

/// What the miner says about one line.
public struct MinedLine: Sendable, Hashable {
    public var templateID: TemplateID
    /// The line's values at the template's `<*>` positions, in order.
    public var parameters: [String]
    /// True when this line created its template.
    public var isNewTemplate: Bool
    /// True when the line would have made a new template but its source had no budget left:
    /// it joined the source's overflow template.
    public var isOverflow: Bool

    public init(templateID: TemplateID, parameters: [String], isNewTemplate: Bool, isOverflow: Bool = false) {
        self.templateID = templateID
        self.parameters = parameters
        self.isNewTemplate = isNewTemplate
        self.isOverflow = isOverflow
    }
}
