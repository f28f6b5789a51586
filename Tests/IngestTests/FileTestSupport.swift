import Foundation
import RationCore
@testable import Ingest

/// A fresh directory under /tmp, removed with the object.
final class TestDirectory {
    let path: String

    init(_ name: String = "files") {
        var template = Array("/tmp/rationd-\(name)-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// Left in place for inspection (RATIOND_KEEP_TEST_DIRS).
    var keep = false

    deinit { if !keep { try? FileManager.default.removeItem(atPath: path) } }

    func file(_ name: String) -> String { path + "/" + name }
}

func writeFile(_ path: String, _ bytes: [UInt8], append: Bool = false) {
    let fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
    precondition(fd >= 0, "open \(path): \(errno)")
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count { offset += write(fd, raw.baseAddress! + offset, raw.count - offset) }
    }
    close(fd)
}

func writeFile(_ path: String, _ text: String, append: Bool = false) {
    writeFile(path, Array(text.utf8), append: append)
}

func lines(_ prefix: String, _ range: Range<Int>) -> String {
    range.map { "\(prefix)\($0)\n" }.joined()
}

func inode(_ path: String) -> UInt64 {
    var st = stat()
    precondition(stat(path, &st) == 0)
    return UInt64(st.st_ino)
}

extension FileSourceConfiguration {
    static func test(_ include: [String], exclude: [String] = [], maxLineBytes: Int = 1 << 20,
                     multiline: Multiline? = nil) -> FileSourceConfiguration {
        FileSourceConfiguration(id: "files.test", include: include, exclude: exclude, rotateWait: .milliseconds(300),
                                pollInterval: .milliseconds(100), maxLineBytes: maxLineBytes,
                                partialLineTimeout: .milliseconds(300), multiline: multiline)
    }
}

extension FileSource {
    /// Pulls batches, acknowledging each, until `done` holds for everything read or `timeout`.
    func collect(timeout: Duration = .seconds(10), until done: ([LogRecord]) -> Bool) throws -> [LogRecord] {
        var all: [LogRecord] = []
        let start = ContinuousClock.now
        while !done(all) && ContinuousClock.now - start < timeout {
            let batch = try nextBatch(maxRecords: 1000, timeout: .milliseconds(50))
            if let last = batch.last(where: { $0.checkpoint != nil })?.checkpoint { acknowledge(last) }
            all += batch
        }
        return all
    }

    /// Pulls for `duration` and returns what arrived (to show that nothing more does).
    func collect(for duration: Duration) throws -> [LogRecord] {
        let start = ContinuousClock.now
        return try collect(timeout: duration) { _ in ContinuousClock.now - start >= duration }
    }
}

extension [LogRecord] {
    var texts: [String] { map(\.displayMessage) }
}
