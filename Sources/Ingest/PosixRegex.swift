#if canImport(Glibc)
import Glibc
#endif

/// A compiled POSIX extended regular expression. `regexec` on a compiled pattern is
/// thread-safe, so the wrapper is shareable.
final class PosixRegex: @unchecked Sendable {
    private let compiled: UnsafeMutablePointer<regex_t>

    init(_ pattern: String, key: String) throws(IngestError) {
        // Compiled into a local first: a class whose init throws after its properties are set
        // still runs deinit, which must not free a pattern that never compiled.
        let candidate = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let rc = regcomp(candidate, pattern, REG_EXTENDED | REG_NOSUB)
        guard rc == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(rc, candidate, &message, message.count)
            candidate.deallocate()
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .configuration(key: key, reason: "invalid regular expression '\(pattern)': \(reason)")
        }
        compiled = candidate
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    /// Whether the line matches; bytes after an embedded NUL are not seen by the matcher.
    func matches(_ bytes: [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            bytes.withUnsafeBytes { source in
                for i in 0..<source.count { buffer[i] = CChar(bitPattern: source[i]) }
            }
            buffer[bytes.count] = 0
            return regexec(compiled, buffer.baseAddress!, 0, nil, 0) == 0
        }
    }
}
