import CCurl
import Foundation

/// HTTPS through libcurl, loaded only when an `https://` endpoint is configured (see
/// `CCurl`): TLS, proxies' CA store and certificate checks as the system's libcurl provides.
/// Each request runs on its own thread blocked in libcurl's poll loop, so a hung endpoint
/// costs no CPU. Replies are capped at `maxResponseBytes`.
struct CurlTransport: HTTPTransport {
    var maxResponseBytes = 8 << 20
    /// A CA bundle to trust instead of the system's (tests with a self-signed server).
    var caFile: String?

    /// nil when libcurl can be used, else why not (for the configuration error at start).
    static func unavailableReason() -> String? { rationd_curl_load().map { String(cString: $0) } }

    func post(_ request: HTTPPost) async -> Result<HTTPResponse, HTTPFailure> {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: exchange(request)) }
            thread.name = "rationd-llm-https"
            thread.start()
        }
    }

    func exchange(_ request: HTTPPost) -> Result<HTTPResponse, HTTPFailure> {
        var response = rationd_curl_response()
        defer { rationd_curl_response_free(&response) }
        let headerLines: [UnsafeMutablePointer<CChar>?] = request.headers.map { strdup("\($0.name): \($0.value)") }
        defer { for line in headerLines { free(line) } }
        let timeoutMs = max(1, Int(request.timeout.components.seconds * 1000 + request.timeout.components.attoseconds / 1_000_000_000_000_000))
        let constLines: [UnsafePointer<CChar>?] = headerLines.map { $0.map { UnsafePointer($0) } }
        let result = constLines.withUnsafeBufferPointer { headers in
            request.body.withUnsafeBytes { body in
                rationd_curl_post(request.url.absoluteString, headers.baseAddress, Int32(headers.count), body.baseAddress,
                                  body.count, timeoutMs, maxResponseBytes, caFile, &response)
            }
        }
        let error = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if result != 0 {
            if response.too_large != 0 { return .failure(.failed("reply larger than \(maxResponseBytes) bytes")) }
            if response.code == 28 { return .failure(.timeout) }
            return .failure(.failed(error.isEmpty ? "libcurl error \(response.code)" : error))
        }
        let body = response.body.map { Array(UnsafeRawBufferPointer(start: $0, count: response.body_length)) } ?? []
        let head = response.headers.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: response.headers_length), as: UTF8.self) } ?? ""
        return .success(HTTPResponse(status: response.status, headers: Self.headers(head), body: body))
    }

    /// The last response's headers (after any interim `100 Continue`), names lower-cased.
    static func headers(_ raw: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in raw.split(separator: "\r\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("HTTP/") {
                headers = [:]
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
        }
        return headers
    }
}
