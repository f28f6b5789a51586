import Foundation

/// A backend that answers from expert labels instead of a model: it measures the ceiling of
/// the pipeline (mining, windowing, triage, caching) independently of model quality. Labels
/// are templates with `<*>` wildcards; a prompt's lines (or, without lines, its template) are
/// matched against them, the most specific match wins, and any abnormal line makes the
/// answer abnormal. Replies follow the contract, so they pass through the verifier like any.
public struct OracleBackend: ChatBackend {
    public struct Label: Sendable, Hashable {
        public var pattern: TemplatePattern
        public var abnormal: Bool
    }

    public let labels: [Label]
    public let model: String
    /// Counts requests, for tests and evaluations (the oracle answers instantly).
    private let counter = RequestCounter()

    public init(labels: [Label], model: String = "oracle") {
        // Most specific first, so the first match is the best one.
        self.labels = labels.sorted { $0.pattern.literalLength > $1.pattern.literalLength }
        self.model = model
    }

    /// Reads a CSV with a header naming `column` (0/1) and a template column (`log`,
    /// `EventTemplate` or `template`), e.g. LogPrompt's BGL labels with `label_rectified`.
    public static func load(path: String, column: String) throws(ReasoningError) -> OracleBackend {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .labels(path: path, line: 0, detail: "cannot read: \(error.localizedDescription)")
        }
        var rows = CSVReader.rows(text)
        guard !rows.isEmpty else { throw .labels(path: path, line: 1, detail: "empty file") }
        let header = rows.removeFirst()
        guard let labelIndex = header.firstIndex(of: column) else {
            throw .labels(path: path, line: 1, detail: "no column \(column) in header \(header)")
        }
        guard let textIndex = header.firstIndex(where: { ["log", "EventTemplate", "template", "Content"].contains($0) }) else {
            throw .labels(path: path, line: 1, detail: "no template column (log, EventTemplate, template) in \(header)")
        }
        var labels: [Label] = []
        for (offset, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count > max(labelIndex, textIndex) else {
                throw .labels(path: path, line: offset + 2, detail: "expected \(header.count) fields, found \(row.count)")
            }
            let value = row[labelIndex].trimmingWhitespace()
            guard value == "0" || value == "1" else {
                throw .labels(path: path, line: offset + 2, detail: "\(column) is \"\(value)\", expected 0 or 1")
            }
            labels.append(Label(pattern: TemplatePattern(row[textIndex].trimmingWhitespace()), abnormal: value == "1"))
        }
        return OracleBackend(labels: labels, model: "oracle:" + (path.split(separator: "/").last.map(String.init) ?? path))
    }

    public var requestCount: Int { counter.value }

    /// The label of the most specific labelled template matching `text`, if any.
    public func label(of text: String) -> Label? {
        let trimmed = text.trimmingWhitespace()
        return labels.first { $0.pattern.matches(trimmed) }
    }

    public func complete(_ request: ChatRequest) async throws(ReasoningError) -> ChatReply {
        counter.increment()
        let lines: [String]
        switch request.subject {
        case let .template(text, templateLines): lines = templateLines.isEmpty ? [text] : templateLines
        case let .window(windowLines): lines = windowLines
        }
        var abnormalLine: (String, Label)?
        var matched = 0
        for line in lines {
            guard let label = label(of: line) else { continue }
            matched += 1
            if label.abnormal { abnormalLine = (line, label); break }
        }
        let think: String
        let answer: String
        if let (line, label) = abnormalLine {
            // Quote the line as evidence when it can be quoted verbatim.
            let cited = line.contains("\"") ? "A line" : "The line \"\(line)\""
            let template = label.pattern.text.contains("\"") ? "an expert template" : "the expert template \"\(label.pattern.text)\""
            think = "\(cited) matches \(template) that experts label a failure, so it is abnormal."
            answer = "abnormal"
        } else if matched > 0 {
            think = "All \(matched) matched lines are instances of expert templates without failures, so they are normal."
            answer = "normal"
        } else {
            think = "No expert template matches these lines; nothing here is known to be a failure, so it is normal."
            answer = "normal"
        }
        let content: String
        switch request.constraint {
        case .jsonSchema:
            let object = ["think": think, "answer": answer]
            content = String(decoding: (try? JSONEncoder().encode(object)) ?? Data(), as: UTF8.self)
        case .none, .llamaGrammar:
            content = "<think>\(think)</think><answer>\(answer)</answer>"
        }
        return ChatReply(content: content, model: model, promptTokens: 0, completionTokens: 0, finishReason: "stop",
                         latency: .zero, endpoint: model)
    }
}

/// A thread-safe counter (the oracle is a value shared across tasks).
final class RequestCounter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF.
public enum CSVReader {
    public static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else {
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n", "\r":
                row.append(field); field = ""
                rows.append(row); row = []
            default: field.append(ch)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
