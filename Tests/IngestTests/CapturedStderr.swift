import Foundation

/// Captures a child's stderr in a temporary file rather than a pipe: Foundation's
/// `readDataToEndOfFile()` traps on EINTR, which other tests' child processes (SIGCHLD)
/// can cause when suites run in parallel.
struct CapturedStderr {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)").path
    let handle: FileHandle

    init() throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
    }

    /// The captured text; call after the process exited. Removes the file.
    func text() -> String {
        try? handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
