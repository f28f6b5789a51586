import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real filesystem that fills up: a tmpfs of a few hundred KiB mounted on a fresh temporary
/// directory (needs root and mount(8); tests skip themselves without them).
public struct SmallFilesystem: Sendable {
    public let path: String

    public static let available: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else {
            print("skipping disk-full test: needs root and /bin/mount")
            return false
        }
        return true
    }()

    public init?(kilobytes: Int) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) else {
            print("skipping disk-full test: cannot mount a tmpfs on \(path)")
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
    }

    public func unmount() {
        _ = Self.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs `tool` to completion; true when it exited 0.
    public static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
