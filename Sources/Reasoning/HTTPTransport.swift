import Foundation

/// One HTTP POST and its raw result; the chat client interprets status and body.
protocol HTTPTransport: Sendable {
    func post(_ request: HTTPPost) async -> Result<HTTPResponse, HTTPFailure>
}

struct HTTPPost: Sendable {
    var url: URL
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var timeout: Duration
}

struct HTTPResponse: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: [UInt8]
}

enum HTTPFailure: Error, Sendable {
    case timeout
    case failed(String)
}
