import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTPS through Foundation's URLSession (TLS and proxies as the system provides).
/// On Linux, swift-corelibs-foundation keeps a core busy while a request is pending (0.4 to
/// 0.8 of a core during a hang, `scripts/measure-urlsession-idle-cpu`), so plain `http://`
/// endpoints use `SocketHTTPTransport` instead.
final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `session` is immutable and URLSession is thread-safe.
    private let session: URLSession

    init(timeout: Duration) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.seconds
        configuration.timeoutIntervalForResource = timeout.seconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    func post(_ request: HTTPPost) async -> Result<HTTPResponse, HTTPFailure> {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout.seconds)
        urlRequest.httpMethod = "POST"
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        urlRequest.httpBody = Data(request.body)
        let (data, response, error): (Data?, URLResponse?, (any Error)?) = await withCheckedContinuation { continuation in
            session.dataTask(with: urlRequest) { data, response, error in
                continuation.resume(returning: (data, response, error))
            }.resume()
        }
        if let error {
            let nsError = error as NSError
            if nsError.domain == NSURLErrorDomain, nsError.code == NSURLErrorTimedOut { return .failure(.timeout) }
            return .failure(.failed(nsError.localizedDescription))
        }
        guard let http = response as? HTTPURLResponse else { return .failure(.failed("no HTTP response")) }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: Array(data ?? Data())))
    }
}
