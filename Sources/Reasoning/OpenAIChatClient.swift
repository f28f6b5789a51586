import RationCore
import Foundation

/// One OpenAI-compatible `POST {baseURL}/chat/completions` endpoint: `https://` over libcurl
/// loaded at run time (TLS as the system provides), `http://` over a poll(2)-based socket client.
/// Throws a `ReasoningError` naming the endpoint; retries and failover are the caller's business.
public final class OpenAIChatClient: ChatBackend, Sendable {
    public let endpoint: ReasoningConfiguration.Endpoint
    public let timeout: Duration
    private let url: URL
    private let apiKey: String?
    private let transport: any HTTPTransport

    public init(endpoint: ReasoningConfiguration.Endpoint, timeout: Duration) throws(ReasoningError) {
        var base = endpoint.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/chat/completions"), url.scheme == "http" || url.scheme == "https",
              url.host != nil else {
            throw .configuration(key: "endpoint.base_url", detail: "\"\(endpoint.baseURL)\" is not an http(s) URL")
        }
        self.endpoint = endpoint
        self.timeout = timeout
        self.url = url
        self.apiKey = try endpoint.apiKey.flatMap { source throws(ReasoningError) in try source.load() }
        if url.scheme == "https" {
            if let reason = CurlTransport.unavailableReason() { throw .configuration(key: "endpoint.base_url", detail: reason) }
            self.transport = CurlTransport()
        } else {
            self.transport = SocketHTTPTransport()
        }
    }

    public func complete(_ request: ChatRequest) async throws(ReasoningError) -> ChatReply {
        let name = endpoint.baseURL
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(WireRequest(request, model: endpoint.model)))
        } catch {
            throw .configuration(key: "request", detail: "cannot encode: \(error)")
        }
        let started = ContinuousClock.now
        let result = await transport.post(HTTPPost(url: url, headers: headers, body: body, timeout: timeout))
        let latency = ContinuousClock.now - started
        let response: HTTPResponse
        switch result {
        case let .success(value): response = value
        case .failure(.timeout): throw .timeout(endpoint: name, seconds: timeout.seconds)
        case let .failure(.failed(detail)): throw .transport(endpoint: name, detail: detail)
        }
        guard (200..<300).contains(response.status) else {
            if response.status == 429 {
                throw .rateLimited(endpoint: name, retryAfter: Self.retryAfter(response.headers["retry-after"]))
            }
            throw .httpStatus(endpoint: name, status: response.status,
                              body: String(decoding: response.body.prefix(300), as: UTF8.self))
        }
        let wire: WireReply
        do { wire = try JSONDecoder().decode(WireReply.self, from: Data(response.body)) } catch {
            throw .malformedReply(endpoint: name, detail: "\(Self.describe(error)); body starts \(String(decoding: response.body.prefix(80), as: UTF8.self).debugDescription)")
        }
        guard let choice = wire.choices.first else { throw .malformedReply(endpoint: name, detail: "no choices") }
        var content = choice.message.content ?? ""
        // Servers with a reasoning parser (vLLM, Ollama, llama.cpp --reasoning-format) move the
        // thinking into reasoning_content; put it back where the contract expects it.
        if let reasoning = choice.message.reasoning_content, !reasoning.isEmpty, !content.contains("<think>") {
            content = "<think>\(reasoning)</think>" + content
        }
        return ChatReply(content: content, model: wire.model ?? endpoint.model, promptTokens: wire.usage?.prompt_tokens,
                         completionTokens: wire.usage?.completion_tokens, finishReason: choice.finish_reason,
                         latency: latency, endpoint: name)
    }

    /// Delta-seconds form of Retry-After; HTTP dates are rare from these servers and ignored.
    static func retryAfter(_ header: String?) -> Double? {
        guard let header, let seconds = Double(header.trimmingWhitespace()), seconds >= 0 else { return nil }
        return seconds
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context): "not JSON (\(context.debugDescription))"
        case let DecodingError.keyNotFound(key, _): "missing \(key.stringValue)"
        case let DecodingError.typeMismatch(_, context): "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let DecodingError.valueNotFound(_, context): "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "\(error)"
        }
    }

    // MARK: Wire format

    struct WireRequest: Encodable {
        struct Message: Encodable { var role: String; var content: String }
        struct ResponseFormat: Encodable {
            struct Schema: Encodable {
                var name = "verdict"
                var strict = true
                var schema = VerdictSchema()
            }
            var type = "json_schema"
            var json_schema = Schema()
        }
        var model: String
        var messages: [Message]
        var temperature: Double
        var max_tokens: Int
        var stream = false
        var response_format: ResponseFormat?
        var grammar: String?

        init(_ request: ChatRequest, model: String) {
            self.model = model
            self.messages = request.messages.map { Message(role: $0.role.rawValue, content: $0.content) }
            self.temperature = request.temperature
            self.max_tokens = request.maxTokens
            switch request.constraint {
            case .none: break
            case .jsonSchema: response_format = ResponseFormat()
            case .llamaGrammar: grammar = Self.grammar(maxTokens: request.maxTokens)
            }
        }

        /// GBNF admitting only the contract; the think text is bounded so the answer fits
        /// in `maxTokens` even at one token per character (digits and punctuation often are).
        static func grammar(maxTokens: Int) -> String {
            let thinkChars = max(8, maxTokens - 16)
            return #"root ::= "<think>" [^<]{1,\#(thinkChars)} "</think><answer>" ("normal" | "abnormal") "</answer>""#
        }
    }

    /// `{"think": string, "answer": "normal" | "abnormal"}` as a JSON schema.
    struct VerdictSchema: Encodable {
        struct Property: Encodable {
            var type = "string"
            var `enum`: [String]?
        }
        var type = "object"
        var properties = ["think": Property(), "answer": Property(enum: ["normal", "abnormal"])]
        var required = ["think", "answer"]
        var additionalProperties = false
    }

    struct WireReply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String?; var reasoning_content: String? }
            var message: Message
            var finish_reason: String?
        }
        struct Usage: Decodable { var prompt_tokens: Int?; var completion_tokens: Int? }
        var choices: [Choice]
        var model: String?
        var usage: Usage?
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
