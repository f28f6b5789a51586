import Foundation
import Ingest
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Fixture journals (zstd-compressed in Fixtures/Journal) unpacked into a fresh directory.
struct JournalFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Journal").path

    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)").path
        try DurableFile.makeDirectories(root)
    }

    /// Unpacks `name`.journal into `subdirectory` of the root (created) and returns its path.
    func unpack(_ name: String, into subdirectory: String = "", as fileName: String? = nil) throws -> String {
        let packed = try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(name).journal.zst"))
        let bytes = try ZstdFrame.decompress(Array(packed))
        let directory = subdirectory.isEmpty ? root : "\(root)/\(subdirectory)"
        try DurableFile.makeDirectories(directory)
        let path = "\(directory)/\(fileName ?? name + ".journal")"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // An hour old, like a journal at rest (a source rechecks a just-modified bad file later).
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Collects notices from a source (called on the source's thread; locked for Sendable).
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [JournalNotice] = []

    var handler: @Sendable (JournalNotice) -> Void {
        { [self] notice in lock.withLock { notices.append(notice) } }
    }

    var all: [JournalNotice] { lock.withLock { notices } }
    var text: [String] { all.map(\.description) }
}

extension JournalSource {
    /// Everything available now (stops at the first empty batch).
    func drain(batch: Int = 64, timeout: Duration = .milliseconds(50)) throws -> [LogRecord] {
        var all: [LogRecord] = []
        while true {
            let records = try nextBatch(maxRecords: batch, timeout: timeout)
            if records.isEmpty { return all }
            all += records
        }
    }
}

extension LogRecord {
    var cursor: String? {
        if case let .journalCursor(cursor)? = checkpoint?.position { return cursor }
        return nil
    }
}

/// CPU time used by the calling thread.
func threadCPUTime() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD
    let user = Duration.seconds(usage.ru_utime.tv_sec) + .microseconds(usage.ru_utime.tv_usec)
    let system = Duration.seconds(usage.ru_stime.tv_sec) + .microseconds(usage.ru_stime.tv_usec)
    return user + system
}
