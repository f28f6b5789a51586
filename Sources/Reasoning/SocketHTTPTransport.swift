#if canImport(Glibc)
import RationCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Plain-HTTP/1.1 POST over a TCP socket, for `http://` endpoints (local vLLM, Ollama,
/// llama.cpp). Each request runs on its own thread, sleeping in poll(2) until data or the
/// deadline: a hung endpoint costs no CPU. `Connection: close`, Content-Length or chunked
/// bodies, replies capped at `maxResponseBytes`.
struct SocketHTTPTransport: HTTPTransport {
    var maxResponseBytes = 8 << 20

    func post(_ request: HTTPPost) async -> Result<HTTPResponse, HTTPFailure> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.exchange(request, maxResponseBytes: maxResponseBytes))
            }
            thread.name = "rationd-llm-http"
            thread.start()
        }
    }

    static func exchange(_ request: HTTPPost, maxResponseBytes: Int) -> Result<HTTPResponse, HTTPFailure> {
        let deadline = ContinuousClock.now + request.timeout
        guard let host = request.url.host else { return .failure(.failed("no host in \(request.url)")) }
        let port = request.url.port ?? 80
        let fd: Int32
        switch connect(host: host, port: port, deadline: deadline) {
        case let .success(socket): fd = socket
        case let .failure(failure): return .failure(failure)
        }
        defer { close(fd) }
        var path = request.url.path.isEmpty ? "/" : request.url.path
        if let query = request.url.query { path += "?" + query }
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Length: \(request.body.count)\r\n"
        for header in request.headers { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        if case let .failure(failure) = send(fd, Array(head.utf8) + request.body, deadline: deadline) { return .failure(failure) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let complete = parse(received, final: false) { return complete }
            if case let .failure(failure) = wait(fd, for: Int16(POLLIN), deadline: deadline) { return .failure(failure) }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.failed("read: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { break }
            received += chunk[0..<n]
            if received.count > maxResponseBytes { return .failure(.failed("reply larger than \(maxResponseBytes) bytes")) }
        }
        return parse(received, final: true) ?? .failure(.failed("connection closed before a complete reply"))
    }

    /// A complete response, a failure, or nil when more bytes are needed.
    static func parse(_ bytes: [UInt8], final: Bool) -> Result<HTTPResponse, HTTPFailure>? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.firstRange(of: separator) else {
            return final ? .failure(.failed(bytes.isEmpty ? "empty reply" : "connection closed inside the headers")) : nil
        }
        let head = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
            return .failure(.failed("bad status line \(String(head.prefix(60)).debugDescription)"))
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingWhitespace()
        }
        let body = Array(bytes[headEnd.upperBound...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            guard let decoded = decodeChunked(body) else {
                return final ? .failure(.failed("connection closed inside a chunked body")) : nil
            }
            return .success(HTTPResponse(status: status, headers: headers, body: decoded))
        }
        if let lengthText = headers["content-length"], let length = Int(lengthText) {
            if body.count >= length { return .success(HTTPResponse(status: status, headers: headers, body: Array(body.prefix(length)))) }
            return final ? .failure(.failed("connection closed after \(body.count) of \(length) body bytes")) : nil
        }
        return final ? .success(HTTPResponse(status: status, headers: headers, body: body)) : nil
    }

    /// The body of a complete chunked encoding, or nil when incomplete.
    static func decodeChunked(_ bytes: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: [13, 10]) else { return nil }
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            index = lineEnd.upperBound
            if size == 0 { return output }
            guard bytes.count >= index + size + 2 else { return nil }
            output += bytes[index..<(index + size)]
            index += size + 2
        }
    }

    static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) -> Result<Int32, HTTPFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else { return .failure(.failed("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")) }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let address = cursor {
            cursor = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else {
                lastError = "connect to \(host):\(port): \(String(cString: strerror(errno)))"
                close(fd)
                continue
            }
            if case let .failure(failure) = wait(fd, for: Int16(POLLOUT), deadline: deadline) {
                close(fd)
                return .failure(failure)
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError == 0 { return .success(fd) }
            lastError = "connect to \(host):\(port): \(String(cString: strerror(soError)))"
            close(fd)
        }
        return .failure(.failed(lastError))
    }

    static func send(_ fd: Int32, _ bytes: [UInt8], deadline: ContinuousClock.Instant) -> Result<Void, HTTPFailure> {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n >= 0 { offset += n; continue }
            guard errno == EAGAIN || errno == EINTR else { return .failure(.failed("send: \(String(cString: strerror(errno)))")) }
            if case let .failure(failure) = wait(fd, for: Int16(POLLOUT), deadline: deadline) { return .failure(failure) }
        }
        return .success(())
    }

    /// Sleeps in poll(2) until `events` or the deadline.
    static func wait(_ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant) -> Result<Void, HTTPFailure> {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return .failure(.timeout) }
            let (seconds, attoseconds) = left.components
            let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return .success(()) }
            if ready < 0, errno != EINTR { return .failure(.failed("poll: \(String(cString: strerror(errno)))")) }
        }
    }
}
