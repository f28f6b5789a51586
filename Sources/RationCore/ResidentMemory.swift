import Foundation

/// The process's anonymous resident memory (`RssAnon` of /proc/self/status): what its heap
/// and stacks occupy, without mapped files. The memory-budget figures compare the bytes the
/// bounded structures account for with the growth of this (see docs/operations.md).
public enum ResidentMemory {
    /// Bytes, or nil where /proc is not readable.
    public static func anonymousBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }
}
