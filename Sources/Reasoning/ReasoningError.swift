/// Everything that can go wrong between a window and its verdict. Each case names the
/// endpoint, file or reply it concerns, so a log line alone says what to fix.
public enum ReasoningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No reply within the request timeout.
    case timeout(endpoint: String, seconds: Double)
    /// Connection refused, reset, DNS, TLS and other transport failures.
    case transport(endpoint: String, detail: String)
    /// A non-2xx status other than 429.
    case httpStatus(endpoint: String, status: Int, body: String)
    /// 429 Too Many Requests; `retryAfter` from the header when present.
    case rateLimited(endpoint: String, retryAfter: Double?)
    /// A 2xx reply whose body is not a chat completion (garbage, truncated JSON, no choices).
    case malformedReply(endpoint: String, detail: String)
    /// Every endpoint's circuit breaker is open or paused.
    case unavailable(detail: String)
    /// The API key file or systemd credential could not be read.
    case apiKey(path: String, detail: String)
    /// A configuration value is invalid.
    case configuration(key: String, detail: String)
    /// The verdict cache file could not be read or written.
    case cache(path: String, detail: String)
    /// The labelled template file for the oracle backend is unreadable.
    case labels(path: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case let .timeout(endpoint, seconds): "\(endpoint): no reply within \(seconds) s"
        case let .transport(endpoint, detail): "\(endpoint): \(detail)"
        case let .httpStatus(endpoint, status, body): "\(endpoint): HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case let .rateLimited(endpoint, retryAfter):
            "\(endpoint): HTTP 429 rate limited" + (retryAfter.map { ", retry after \($0) s" } ?? "")
        case let .malformedReply(endpoint, detail): "\(endpoint): malformed reply: \(detail)"
        case let .unavailable(detail): "no endpoint available: \(detail)"
        case let .apiKey(path, detail): "API key \(path): \(detail)"
        case let .configuration(key, detail): "configuration \(key): \(detail)"
        case let .cache(path, detail): "verdict cache \(path): \(detail)"
        case let .labels(path, line, detail): "\(path):\(line): \(detail)"
        }
    }

    /// Whether the failure says the endpoint is unhealthy (feeds the circuit breaker).
    var countsAgainstEndpoint: Bool {
        switch self {
        case .timeout, .transport, .httpStatus: true
        case .rateLimited, .malformedReply, .unavailable, .apiKey, .configuration, .cache, .labels: false
        }
    }
}
