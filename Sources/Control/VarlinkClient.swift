#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why a client call failed: `cannotConnect` (no daemon there; rationctl exits 2), the
/// daemon's varlink error, or a broken exchange.
public enum VarlinkClientError: Error, Sendable, CustomStringConvertible {
    case cannotConnect(path: String, reason: String)
    case remote(VarlinkError)
    case protocolViolation(String)
    case connectionClosed

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason): "cannot connect to \(path): \(reason)"
        case .remote(let error): error.description
        case .protocolViolation(let what): "invalid reply: \(what)"
        case .connectionClosed: "the daemon closed the connection"
        }
    }
}

/// A blocking varlink client over a Unix socket: simple enough for a command-line tool and
/// for tests that must misbehave on purpose (`sendRaw`).
public final class VarlinkClient {
    public let socketPath: String
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects; `timeout` bounds each read and write (nil: wait for ever, for following).
    public init(socketPath: String, timeout: Duration? = .seconds(30)) throws(VarlinkClientError) {
        self.socketPath = socketPath
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .cannotConnect(path: socketPath, reason: "path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .cannotConnect(path: socketPath, reason: String(cString: strerror(errno))) }
        if let timeout {
            var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .cannotConnect(path: socketPath, reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// One call, one reply; a varlink error reply throws `.remote`.
    public func call(_ method: String, parameters: JSONValue? = nil) throws(VarlinkClientError) -> JSONValue {
        try send(VarlinkCall(method: method, parameters: parameters))
        let reply = try receive()
        if let error = reply.error { throw .remote(VarlinkError(error, reply.parameters?.object ?? [:])) }
        return reply.parameters ?? .object([:])
    }

    /// Typed call: encodes `parameters`, decodes the reply.
    public func call<P: Encodable, R: Decodable>(_ method: String, _ parameters: P, as: R.Type) throws(VarlinkClientError) -> R {
        let value: JSONValue
        do { value = try VarlinkJSON.value(parameters) } catch { throw .protocolViolation("cannot encode parameters: \(error)") }
        let reply = try call(method, parameters: value)
        do { return try VarlinkJSON.decode(R.self, from: reply) } catch {
            throw .protocolViolation("\(method) reply does not match the interface: \(error)")
        }
    }

    /// A call with `more`: `body` sees every reply until one without `continues`, or until it returns false.
    public func stream(_ method: String, parameters: JSONValue?, body: (JSONValue) throws -> Bool) throws(VarlinkClientError) {
        try send(VarlinkCall(method: method, parameters: parameters, more: true))
        while true {
            let reply = try receive()
            if let error = reply.error { throw .remote(VarlinkError(error, reply.parameters?.object ?? [:])) }
            let keepGoing: Bool
            do { keepGoing = try body(reply.parameters ?? .object([:])) } catch {
                throw .protocolViolation("\(method) reply does not match the interface: \(error)")
            }
            if !keepGoing || reply.continues != true { return }
        }
    }

    public func send(_ call: VarlinkCall) throws(VarlinkClientError) {
        var data: Data
        do { data = try VarlinkJSON.encode(call) } catch { throw .protocolViolation("cannot encode call: \(error)") }
        data.append(0)
        try sendRaw(Array(data))
    }

    /// Writes bytes exactly as given: tests use it for malformed and oversized messages.
    public func sendRaw(_ bytes: [UInt8]) throws(VarlinkClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .connectionClosed }
                throw .protocolViolation("write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads the next NUL-terminated reply.
    public func receive() throws(VarlinkClientError) -> VarlinkReply {
        let message = try receiveRaw()
        do { return try VarlinkJSON.decode(VarlinkReply.self, from: Data(message)) } catch {
            throw .protocolViolation("not a varlink reply: \(String(decoding: message.prefix(200), as: UTF8.self))")
        }
    }

    public func receiveRaw() throws(VarlinkClientError) -> [UInt8] {
        while true {
            if let nul = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<nul])
                buffer.removeSubrange(...nul)
                return message
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { throw .connectionClosed }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { throw .connectionClosed }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .protocolViolation("no reply within the timeout") }
                throw .protocolViolation("read failed: \(String(cString: strerror(errno)))")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Closes the sending side only (as `nc -N` does); replies can still be read.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}
