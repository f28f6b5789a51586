import RationCore
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

    /// Reads a labelled template CSV (`LabelledTemplateFile`).
    public static func load(path: String, column: String) throws(ReasoningError) -> OracleBackend {
        let labels = try LabelledTemplateFile.read(path: path, column: column)
            .map { Label(pattern: TemplatePattern($0.template), abnormal: $0.abnormal) }
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
