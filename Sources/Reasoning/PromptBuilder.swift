import RationCore

/// Turns a template or a window into chat messages following the `PromptSet`.
public struct PromptBuilder: Sendable {
    public var prompts: PromptSet
    /// Example parameter lines shown per template in the window prompt.
    public var examplesPerTemplate: Int
    /// Templates listed in the window prompt; the rest are summarised as a count.
    public var maxTemplatesInWindowPrompt: Int

    public init(prompts: PromptSet, examplesPerTemplate: Int = 2, maxTemplatesInWindowPrompt: Int = 40) {
        self.prompts = prompts
        self.examplesPerTemplate = examplesPerTemplate
        self.maxTemplatesInWindowPrompt = maxTemplatesInWindowPrompt
    }

    /// The paper's per-template prompt: instruction, newline, the template text fenced as data
    /// (`LogTextFence`). Few-shot `examples` come first as earlier turns of the conversation,
    /// each a user turn in the same form and an assistant turn in the reply contract, in the
    /// order given.
    public func templateMessages(templateText: String, examples: [LabelledExample] = []) -> [ChatMessage] {
        var messages = [ChatMessage(role: .system, content: prompts.system)]
        for example in examples {
            messages.append(ChatMessage(role: .user, content: example.userContent(instruction: prompts.templateInstruction)))
            messages.append(ChatMessage(role: .assistant, content: example.assistantContent))
        }
        messages.append(ChatMessage(role: .user, content: prompts.templateInstruction + "\n" + LogTextFence.fenced([templateText])))
        return messages
    }

    /// The window prompt: triage's reasons, then every template once, in first-seen order, with
    /// its count and a few example lines, fenced as data (`LogTextFence`). The session key and
    /// the reasons can carry log text too: they are neutralised.
    public func windowMessages(window: Window, suspicion: Suspicion) -> [ChatMessage] {
        let reasons = suspicion.reasons.isEmpty ? "score \(suspicion.score)" :
            suspicion.reasons.map(\.description).joined(separator: "; ")
        var counts: [TemplateID: Int] = [:]
        var examples: [TemplateID: [String]] = [:]
        for event in window.events {
            counts[event.templateID, default: 0] += 1
            if examples[event.templateID, default: []].count < examplesPerTemplate,
               !examples[event.templateID, default: []].contains(event.message) {
                examples[event.templateID, default: []].append(event.message)
            }
        }
        var body = prompts.windowInstruction.replacingAll("{reasons}", with: LogTextFence.neutralised(reasons))
        body += "\nWindow \(LogTextFence.neutralised(window.key.description)) from \(LogTextFence.neutralised(window.source.description)), "
            + "\(window.eventCount) lines"
        if window.eventCount > window.events.count { body += " (first \(window.events.count) shown)" }
        body += ":\n"
        let distinct = window.distinctTemplates
        var listed: [String] = []
        for (index, id) in distinct.prefix(maxTemplatesInWindowPrompt).enumerated() {
            let text = window.templates[id] ?? examples[id]?.first ?? id.description
            listed.append("\(index + 1). [\(counts[id] ?? 0)x] \(text)")
            for example in examples[id] ?? [] where example != text {
                listed.append("   e.g. \(example)")
            }
        }
        body += LogTextFence.fenced(listed) + "\n"
        if distinct.count > maxTemplatesInWindowPrompt {
            body += "(\(distinct.count - maxTemplatesInWindowPrompt) more templates not shown)\n"
        }
        return [ChatMessage(role: .system, content: prompts.system), ChatMessage(role: .user, content: body)]
    }
}

extension String {
    /// Literal replacement without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
