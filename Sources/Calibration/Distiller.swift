import Foundation
import RationCore
import Reasoning

/// Teacher distillation (RationAnomaly §3.2): asks a teacher model for a step-by-step analysis
/// of each labelled template, keeps the analyses whose answer agrees with the expert's label
/// (``TeacherReply``), and appends them to a JSONL file as they arrive. Resumable: templates
/// already in the output with the same label are not asked again, nor (unless
/// `retryDropped`) those whose reply was dropped before. A teacher failure is retried, then
/// counted and skipped; the run goes on.
public struct Distiller: Sendable {
    public struct Settings: Sendable, Hashable {
        /// Requests in flight at once.
        public var maxConcurrent: Int
        /// Extra attempts after a failed request (timeout, transport, 5xx, 429, no endpoint).
        public var retries: Int
        /// Wait before the first retry; doubles on each further one.
        public var retryDelay: Duration
        public var temperature: Double
        public var maxTokens: Int
        /// `.none` or `.llamaGrammar`: the analysis must come back as tags.
        public var constraint: ReplyConstraint
        /// Give the teacher the expert's label (see ``TeacherPrompt``).
        public var hintLabel: Bool
        /// Ask again about templates whose earlier reply was dropped.
        public var retryDropped: Bool

        public init(maxConcurrent: Int = 2, retries: Int = 2, retryDelay: Duration = .seconds(2), temperature: Double = 0,
                    maxTokens: Int = 1024, constraint: ReplyConstraint = .none, hintLabel: Bool = true,
                    retryDropped: Bool = false) {
            self.maxConcurrent = maxConcurrent
            self.retries = retries
            self.retryDelay = retryDelay
            self.temperature = temperature
            self.maxTokens = maxTokens
            self.constraint = constraint
            self.hintLabel = hintLabel
            self.retryDropped = retryDropped
        }

        public func validated() throws(CalibrationError) -> Settings {
            if maxConcurrent < 1 { throw .invalidConfiguration("concurrency must be at least 1, got \(maxConcurrent)") }
            if retries < 0 { throw .invalidConfiguration("retries must not be negative, got \(retries)") }
            if maxTokens < 8 { throw .invalidConfiguration("max tokens \(maxTokens) is below 8") }
            if constraint == .jsonSchema {
                throw .invalidConfiguration("constraint jsonSchema is not supported for distillation (the analysis must come back as <think>/<answer> tags); use none or llamaGrammar")
            }
            return self
        }
    }

    /// Counts of one run; `total` is the number of labels to ask about after resuming.
    public struct Progress: Sendable, Hashable, CustomStringConvertible {
        public var labels = 0
        public var alreadyDistilled = 0
        public var alreadyDropped = 0
        public var total = 0
        public var done = 0
        public var kept = 0
        public var disagreed = 0
        public var malformed = 0
        public var failed = 0

        public var description: String {
            "\(done)/\(total) kept \(kept) dropped-disagree \(disagreed) dropped-malformed \(malformed) failed \(failed)"
        }

        /// Every request that was made failed (the teacher is unreachable or refuses).
        public var everythingFailed: Bool { total > 0 && failed == total }
    }

    /// What one template came to, for the progress report.
    public enum Event: Sendable, Hashable {
        case kept(template: String)
        case dropped(template: String, reason: DroppedAnalysis.Reason, detail: String)
        case failed(template: String, error: String)
    }

    public var backend: any ChatBackend
    public var prompt: TeacherPrompt
    public var settings: Settings

    public init(backend: any ChatBackend, prompt: TeacherPrompt = TeacherPrompt(), settings: Settings) throws(CalibrationError) {
        self.backend = backend
        self.prompt = prompt
        self.settings = try settings.validated()
    }

    /// The file of dropped replies kept next to `output`.
    public static func droppedPath(output: String) -> String {
        (output.hasSuffix(".jsonl") ? String(output.dropLast(".jsonl".count)) : output) + ".dropped.jsonl"
    }

    /// Runs over `labels` (one per template text), appending to `output` and its dropped file.
    /// `warn` gets unreadable lines of earlier output; `report` gets each result as it comes.
    public func run(labels: [TemplateLabel], output: String, warn: @Sendable (String) -> Void = { _ in },
                    report: @Sendable (Progress, Event) -> Void = { _, _ in }) async throws(CalibrationError) -> Progress {
        var progress = Progress()
        progress.labels = labels.count
        let done = try Self.previous(output: output, warn: warn)
        let dropped = try Self.previousDropped(path: Self.droppedPath(output: output), warn: warn)
        var pending: [TemplateLabel] = []
        for label in labels {
            if done.contains(Key(label)) {
                progress.alreadyDistilled += 1
            } else if !settings.retryDropped, dropped.contains(Key(label)) {
                progress.alreadyDropped += 1
            } else {
                pending.append(label)
            }
        }
        progress.total = pending.count
        guard !pending.isEmpty else { return progress }
        let kept = try JSONLAppender(path: output)
        let rejected = try JSONLAppender(path: Self.droppedPath(output: output))
        if kept.cutBytes > 0 { warn("\(output): cut a torn last line (\(kept.cutBytes) bytes) left by an interrupted run") }

        var writeError: CalibrationError?
        await withTaskGroup(of: (TemplateLabel, Result<ChatReply, ReasoningError>).self) { group in
            var next = pending.makeIterator()
            func startNext() {
                guard let label = next.next() else { return }
                group.addTask { (label, await self.ask(label)) }
            }
            for _ in 0..<min(settings.maxConcurrent, pending.count) { startNext() }
            while let (label, result) = await group.next() {
                progress.done += 1
                let event: Event
                do throws(CalibrationError) {
                    switch result {
                    case let .failure(error):
                        progress.failed += 1
                        event = .failed(template: label.template, error: error.description)
                    case let .success(reply):
                        switch TeacherReply(content: reply.content, template: label.template, label: label.label) {
                        case let .kept(analysis, score):
                            try kept.append(DistilledAnalysis(time: label.time, template: label.template, label: label.label,
                                                              analysis: analysis, teacher: reply.model, score: score,
                                                              origin: label.origin).jsonLine())
                            progress.kept += 1
                            event = .kept(template: label.template)
                        case let .disagrees(answer):
                            let detail = "teacher answered \(answer.rawValue), the label is \(label.label.rawValue)"
                            try rejected.append(DroppedAnalysis(template: label.template, label: label.label, reason: .disagrees,
                                                                detail: detail, reply: reply.content).jsonLine())
                            progress.disagreed += 1
                            event = .dropped(template: label.template, reason: .disagrees, detail: detail)
                        case let .malformed(reason):
                            let detail = reply.finishReason == "length" ? reason + " (reply cut at max tokens)" : reason
                            try rejected.append(DroppedAnalysis(template: label.template, label: label.label, reason: .malformed,
                                                                detail: detail, reply: reply.content).jsonLine())
                            progress.malformed += 1
                            event = .dropped(template: label.template, reason: .malformed, detail: detail)
                        }
                    }
                } catch {
                    // The output cannot be written: stop asking, keep what is on disk.
                    writeError = error
                    group.cancelAll()
                    break
                }
                report(progress, event)
                startNext()
            }
        }
        if let writeError { throw writeError }
        return progress
    }

    /// One template, with retries on failures that may pass (the pool's circuit breaker
    /// decides which endpoint, or none, takes each attempt).
    func ask(_ label: TemplateLabel) async -> Result<ChatReply, ReasoningError> {
        let request = ChatRequest(messages: prompt.messages(template: label.template, label: label.label, hintLabel: settings.hintLabel),
                                  temperature: settings.temperature, maxTokens: settings.maxTokens,
                                  constraint: settings.constraint, subject: .template(text: label.template, lines: []))
        var delay = settings.retryDelay
        var attempt = 0
        while true {
            do throws(ReasoningError) {
                return .success(try await backend.complete(request))
            } catch {
                guard attempt < settings.retries, Self.isTransient(error), !Task.isCancelled else { return .failure(error) }
                attempt += 1
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    static func isTransient(_ error: ReasoningError) -> Bool {
        switch error {
        case .timeout, .transport, .rateLimited, .unavailable, .malformedReply: true
        case let .httpStatus(_, status, _): status >= 500 || status == 408
        case .apiKey, .configuration, .cache, .labels: false
        }
    }

    struct Key: Hashable {
        var template: String
        var label: Verdict.Label
        init(_ label: TemplateLabel) { (template, self.label) = (label.template, label.label) }
        init(template: String, label: Verdict.Label) { (self.template, self.label) = (template, label) }
    }

    static func previous(output: String, warn: (String) -> Void) throws(CalibrationError) -> Set<Key> {
        var keys = Set<Key>()
        for (number, text) in try JSONLAppender.lines(of: output) {
            guard let record = try? JSONDecoder().decode(DistilledAnalysis.self, from: Data(text.utf8)) else {
                warn("\(output):\(number): not a distilled analysis; ignored (its template is asked again)")
                continue
            }
            keys.insert(Key(template: record.template, label: record.label))
        }
        return keys
    }

    static func previousDropped(path: String, warn: (String) -> Void) throws(CalibrationError) -> Set<Key> {
        var keys = Set<Key>()
        for (number, text) in try JSONLAppender.lines(of: path) {
            guard let record = try? JSONDecoder().decode(DroppedAnalysis.self, from: Data(text.utf8)) else {
                warn("\(path):\(number): not a dropped-analysis record; ignored")
                continue
            }
            keys.insert(Key(template: record.template, label: record.label))
        }
        return keys
    }

    /// Kept analyses of an output file by template text (the last one wins), for the exports.
    public static func analyses(path: String) throws(CalibrationError) -> [String: DistilledAnalysis] {
        guard FileManager.default.fileExists(atPath: path) else { throw .io(path: path, reason: "no such file") }
        var result: [String: DistilledAnalysis] = [:]
        for (number, text) in try JSONLAppender.lines(of: path) {
            do {
                let record = try JSONDecoder().decode(DistilledAnalysis.self, from: Data(text.utf8))
                result[record.template] = record
            } catch {
                throw .badRecord(source: path, line: number, reason: "not a distilled analysis (rationlab distill output)")
            }
        }
        return result
    }
}
