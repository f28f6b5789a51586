import RationCore

/// What triage has learned from one source's windows: the model, and the templates in at
/// least half of them (refreshed periodically), so a count vector can be explained by a
/// usual template that is missing.
struct SourceBaseline: Sendable {
    var model = TriageModel()
    var usualTemplates: [TemplateID] = []

    mutating func refreshUsualTemplates() {
        let half = Double(model.windows) / 2
        usualTemplates = model.templates.filter { Double($0.value.windows) >= half }.keys.sorted()
    }
}
