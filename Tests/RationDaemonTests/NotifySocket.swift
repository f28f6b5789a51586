import Foundation
import ProcessTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [String] = []
    private var reader: Thread?

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw Failure("bind \(path): \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !Thread.current.isCancelled {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let text = String(decoding: buffer[..<n], as: UTF8.self)
                    lock.lock(); messages.append(text); lock.unlock()
                }
            }
            close(fd)
        }
        reader = thread
        thread.start()
    }

    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }

    /// Waits for a message containing `text` after the first `after` messages; returns its index.
    func wait(for text: String, after: Int = 0, seconds: Double = 15) async -> Int? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let current = all
            if let i = current.indices.dropFirst(after).first(where: { current[$0].contains(text) }) { return i }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Ends the reader; dropping the thread breaks the cycle through its closure.
    func stop() {
        reader?.cancel()
        reader = nil
    }
}
