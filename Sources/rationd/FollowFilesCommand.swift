import ArgumentParser
import Ingest
import RationCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Follows log files and prints each line, committing the checkpoint only after the output
/// is flushed (the same at-least-once contract as `rationd tap`). Hidden: a test and
/// debugging driver of FileSource.
struct FollowFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-files",
        abstract: "Follow log files through rotation and print their lines.",
        shouldDisplay: false
    )

    enum Format: String, ExpressibleByArgument { case text, jsonl }

    @Option(parsing: .upToNextOption, help: "Absolute glob(s) of files to follow.")
    var include: [String]
    @Option(parsing: .upToNextOption, help: "Glob(s) of paths never read.")
    var exclude: [String] = []
    @Option(help: "File holding the per-file checkpoints; resumed from when it exists.")
    var checkpoint: String?
    @Option(help: "text (raw line bytes) or jsonl.")
    var format: Format = .text
    @Option(help: "Source name in records and checkpoints.")
    var sourceID: String = "files"
    @Option(help: "Seconds a rotated or deleted file is still read after its last growth.")
    var rotateWait: Double = 5
    @Option(help: "Seconds between path re-checks without inotify help.")
    var pollInterval: Double = 1
    @Option(help: "Longest line delivered as one record.")
    var maxLineBytes: Int = 1 << 20
    @Option(help: "Seconds before a last line without newline is delivered.")
    var partialLineTimeout: Double = 5
    @Option(help: "POSIX extended regex of a line that starts a multi-line record.")
    var multilineStart: String?
    @Option(help: "Most lines in one multi-line record.")
    var multilineMaxLines: Int = 500
    @Option(help: "Seconds before a pending multi-line record is delivered.")
    var multilineTimeout: Double = 1
    @Option(help: "Seconds between checkpoint commits.")
    var commitInterval: Double = 0.2
    @Option(help: "Records per batch.")
    var batchSize: Int = 4096
    @Option(help: "Exit after this many seconds without a record (0: never).")
    var exitWhenIdle: Double = 0
    @Flag(help: "After each commit, print 'commit N' to stderr: the first N printed lines are covered by it.")
    var reportCommits = false
    @Flag(help: "Exit when the parent process goes away (test drivers that may crash).")
    var exitWithParent = false

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        // Initialise the lazy global now: the handler must not be the first to touch it.
        _ = followFilesStopRequested.load(ordering: .relaxed)
        signal(SIGTERM, followFilesStop)
        signal(SIGINT, followFilesStop)
        let config = FileSourceConfiguration(
            id: SourceID(sourceID), include: include, exclude: exclude,
            rotateWait: .milliseconds(Int64(rotateWait * 1000)), pollInterval: .milliseconds(Int64(pollInterval * 1000)),
            maxLineBytes: maxLineBytes, partialLineTimeout: .milliseconds(Int64(partialLineTimeout * 1000)),
            multiline: multilineStart.map {
                .init(startPattern: $0, maxLines: multilineMaxLines, timeout: .milliseconds(Int64(multilineTimeout * 1000)))
            })
        let store = checkpoint.map(FileCheckpointStore.init(path:))
        let source = try FileSource(configuration: config, state: try store?.load())
        var printed = 0
        var idleSince = ContinuousClock.now
        let reportCommits = self.reportCommits
        let committer = store.map { store in
            CheckpointCommitter(store: store, interval: .milliseconds(Int64(commitInterval * 1000))) { covered in
                if reportCommits { FollowFilesCommand.report("commit \(covered)\n") }
            }
        }
        committer?.start()
        defer { committer?.stop() }

        let parent = getppid()
        while !followFilesStopRequested.load(ordering: .relaxed) {
            if let error = committer?.error { throw error }
            if exitWithParent && getppid() != parent { break }
            let batch = try source.nextBatch(maxRecords: batchSize, timeout: .milliseconds(200))
            for notice in source.takeNotices() { Self.report("rationd: follow-files: \(notice)\n") }
            if batch.isEmpty {
                if exitWhenIdle > 0 && ContinuousClock.now - idleSince > .milliseconds(Int64(exitWhenIdle * 1000)) { break }
                continue
            }
            idleSince = .now
            var output: [UInt8] = []
            output.reserveCapacity(batch.count * 128)
            for record in batch { append(record, to: &output) }
            try Self.writeAll(output, to: 1)
            // Written: what it covers may now be committed.
            if let index = batch.lastIndex(where: { $0.checkpoint != nil }) {
                source.acknowledge(batch[index].checkpoint!)
                committer?.offer(source.checkpointState(), covered: printed + index + 1)
            }
            printed += batch.count
        }
    }

    private func append(_ record: LogRecord, to output: inout [UInt8]) {
        switch format {
        case .text:
            output.append(contentsOf: record.message)
            output.append(0x0A)
        case .jsonl:
            var line = "{\"time\":\(record.time.microsecondsSinceEpoch),\"path\":"
            line += JSONText.quote(record.fields.path ?? "")
            line += ",\"truncated\":\(record.fields.truncated),\"message\":"
            line += JSONText.quote(record.displayMessage)
            line += "}\n"
            output.append(contentsOf: line.utf8)
        }
    }

    static func report(_ text: String) {
        try? Self.writeAll(Array(text.utf8), to: 2)
    }

    /// Writes every byte (retrying short writes); throws on a write error such as EPIPE.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ValidationError("fd \(fd): write failed: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }
}

/// Set by SIGINT/SIGTERM on whichever thread takes the signal and read by the loop on another,
/// so an atomic: a plain sig_atomic_t is safe only within one thread.
private let followFilesStopRequested = Atomic<Bool>(false)

private func followFilesStop(_ signal: Int32) {
    followFilesStopRequested.store(true, ordering: .relaxed)
}
