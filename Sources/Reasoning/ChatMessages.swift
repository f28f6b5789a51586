/// How the reply's shape is constrained on the server side, when the server can.
public enum ReplyConstraint: String, Sendable, Hashable, Codable, CaseIterable {
    /// Plain text; the verifier alone enforces the contract (hosted APIs, Ollama).
    case none
    /// `response_format: json_schema` with `{"think": string, "answer": "normal"|"abnormal"}`
    /// (vLLM, llama.cpp, OpenAI). The verifier reads the JSON instead of the tags.
    case jsonSchema
    /// llama.cpp's `grammar` field: a GBNF grammar that only admits
    /// `<think>…</think><answer>normal|abnormal</answer>`.
    case llamaGrammar
}

public struct ChatMessage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable { case system, user, assistant }
    public var role: Role
    public var content: String
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }
}

/// What a prompt is about, for backends that answer without a model (the oracle) and for
/// the verifier's evidence check. Never sent over the wire.
public enum ChatSubject: Sendable, Hashable {
    /// One template, with the window's lines that carry it.
    case template(text: String, lines: [String])
    /// A whole window's lines.
    case window(lines: [String])
}

public struct ChatRequest: Sendable, Hashable {
    public var messages: [ChatMessage]
    public var temperature: Double
    public var maxTokens: Int
    public var constraint: ReplyConstraint
    public var subject: ChatSubject
    public init(messages: [ChatMessage], temperature: Double, maxTokens: Int, constraint: ReplyConstraint,
                subject: ChatSubject) {
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.constraint = constraint
        self.subject = subject
    }
}

public struct ChatReply: Sendable, Hashable {
    /// The assistant message's text.
    public var content: String
    /// The model the server says answered.
    public var model: String
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// `stop`, `length`, …: `length` explains a truncated reply.
    public var finishReason: String?
    /// Wall time of the exchange as measured by the client.
    public var latency: Duration
    /// Which endpoint answered (base URL), for failover diagnostics.
    public var endpoint: String
    public init(content: String, model: String, promptTokens: Int? = nil, completionTokens: Int? = nil,
                finishReason: String? = nil, latency: Duration = .zero, endpoint: String = "") {
        self.content = content
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.finishReason = finishReason
        self.latency = latency
        self.endpoint = endpoint
    }
}

/// Anything that answers chat-completion requests: the HTTP client, the failover pool, the oracle.
public protocol ChatBackend: Sendable {
    func complete(_ request: ChatRequest) async throws(ReasoningError) -> ChatReply
}
