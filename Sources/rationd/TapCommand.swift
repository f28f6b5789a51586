import ArgumentParser
import Configuration
import Ingest
import Pipeline
import RationCore
import Synchronization
import TemplateMiner
#if canImport(Glibc)
import Glibc
#endif

/// `rationd tap`: prints every record the configured sources deliver and commits each
/// source's checkpoint only after its lines are written (and fsynced when the output is a
/// file). What an operator runs to see what rationd sees; a restarted tap continues after
/// the last committed record, so its output is an at-least-once delivery log.
struct TapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Print every record the configured sources deliver.",
        discussion: """
        With `rationd --config FILE tap` (or `rationd tap --config FILE`), the sources are those
        of the configuration file (all of them, or the one named by --source) and each record is
        shown with the template id the configured miner gives it. Without --config, one journal
        source is built from the options below and the miner runs with its defaults.
        With --checkpoint, the position is saved after each written batch and a restart
        continues after it (records after the last save may be printed again, never lost);
        file sources keep theirs in PATH.<source id>. Stops cleanly on SIGINT/SIGTERM.
        """)

    /// `--config` belongs to the root command (shared with `run` and `--check-config`).
    @ParentCommand var parent: Rationd

    @Flag(help: "Read the local system journal (the default when no other journal option is given).")
    var journal = false

    @Option(help: ArgumentHelp("Read the journal files in this directory.", valueName: "dir"))
    var journalDirectory: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Read exactly these journal files.", valueName: "file"))
    var journalFile: [String] = []

    @Option(help: ArgumentHelp("Read this journald namespace.", valueName: "ns"))
    var namespace: String?

    @Option(help: ArgumentHelp("Only this _SYSTEMD_UNIT (repeatable; ORed with --identifier).", valueName: "unit"))
    var unit: [String] = []

    @Option(help: ArgumentHelp("Only this SYSLOG_IDENTIFIER (repeatable).", valueName: "id"))
    var identifier: [String] = []

    @Option(help: ArgumentHelp("Only records with PRIORITY at most this (0-7 or a name such as err).", valueName: "n"))
    var priority: String?

    @Flag(help: "Only records of the current boot.")
    var currentBoot = false

    @Option(help: ArgumentHelp("Where to start without a checkpoint: head or tail.", valueName: "head|tail"))
    var readFrom: String = "tail"

    @Option(help: ArgumentHelp("Where to start when the saved cursor is unusable: head, tail, or a maximum age such as 90s, 30m, 2h, 1d.", valueName: "position"))
    var fallback: String = "tail"

    @Option(help: ArgumentHelp("Checkpoint file; without it nothing is saved.", valueName: "path"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("The source id: names the checkpoint of an option-built source; with --config, taps only this configured source (e.g. journal, files.syslog).", valueName: "id"))
    var source: String?

    @Flag(help: "One JSON object per record (JSON lines) instead of text.")
    var json = false

    /// The former spelling of `--json` (`--format jsonl`), kept working.
    @Option(help: .hidden)
    var format: String = "text"

    @Option(help: ArgumentHelp("Records per batch (one write and one checkpoint per batch).", valueName: "n"))
    var batchSize: Int = 512

    @Option(help: ArgumentHelp("Exit after this many seconds without a new record.", valueName: "seconds"))
    var exitWhenIdle: Double?

    func validate() throws {
        let modes = [journal, journalDirectory != nil, !journalFile.isEmpty, namespace != nil].filter { $0 }.count
        if modes > 1 { throw ValidationError("give only one of --journal, --journal-directory, --journal-file, --namespace") }
        if TapFormat(rawValue: format) == nil { throw ValidationError("--format must be text or jsonl, not '\(format)'") }
        if readFrom != "head", readFrom != "tail" { throw ValidationError("--read-from must be head or tail, not '\(readFrom)'") }
        if Self.fallbackPosition(fallback) == nil { throw ValidationError("--fallback must be head, tail or an age such as 30m, not '\(fallback)'") }
        if let priority, Priority(parsing: priority) == nil { throw ValidationError("--priority must be 0-7 or a level name, not '\(priority)'") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let exitWhenIdle, exitWhenIdle <= 0 { throw ValidationError("--exit-when-idle must be positive") }
    }

    func run() throws {
        TapSignals.install()
        let store = checkpoint.map { CheckpointStore(path: $0) }
        let sources: [TapSource]
        var miner: TemplateMiner
        do {
            let saved = try store?.load() ?? [:]
            if let path = parent.checkConfig.config {
                let settings = try PipelineSettings(try RationdConfiguration(contentsOf: path))
                miner = TemplateMiner(configuration: settings.miner)
                sources = try configuredSources(settings, saved: saved, store: store)
            } else {
                miner = TemplateMiner()
                sources = [try optionSource(saved: saved, store: store)]
            }
        } catch {
            Self.fail("\(error)")
        }
        var output = TapOutput(format: json ? .jsonl : TapFormat(rawValue: format)!)
        var lastRecord = ContinuousClock.now
        var next = 0
        while !TapSignals.stopRequested {
            let tapped = sources[next]
            let source = tapped.source
            next = (next + 1) % sources.count
            let batch: [LogRecord]
            do {
                batch = try source.nextBatch(maxRecords: batchSize, timeout: .milliseconds(sources.count > 1 ? 50 : 250))
            } catch {
                Self.fail("\(error)")
            }
            if batch.isEmpty {
                if let exitWhenIdle, ContinuousClock.now - lastRecord >= .milliseconds(Int64(exitWhenIdle * 1000)) { break }
                continue
            }
            lastRecord = .now
            for record in batch { output.append(record, templateID: miner.mine(record.message).templateID) }
            do { try output.flush() } catch {
                if error.errno == EPIPE { return }
                Self.fail("\(error)")
            }
            guard let committed = batch.last(where: { $0.checkpoint != nil })?.checkpoint else { continue }
            do { try tapped.commit(committed) } catch { Self.fail("\(error)") }
        }
    }

    /// The journal source the options describe.
    private func optionSource(saved: [SourceID: Checkpoint], store: CheckpointStore?) throws(IngestError) -> TapSource {
        let mode: JournalSourceConfiguration.OpenMode =
            if let journalDirectory { .directory(journalDirectory) }
            else if !journalFile.isEmpty { .files(journalFile) }
            else if let namespace { .namespace(namespace) }
            else { .local }
        let id = SourceID(source ?? "journal")
        let configuration = JournalSourceConfiguration(
            id: id, open: mode, units: unit, identifiers: identifier,
            maxPriority: priority.flatMap(Priority.init(parsing:)), currentBootOnly: currentBoot,
            readFrom: readFrom == "head" ? .head : .tail, fallback: Self.fallbackPosition(fallback)!)
        return .journal(try JournalSource(configuration: configuration, checkpoint: saved[id]), store: store)
    }

    /// The sources of a configuration file, or the one `--source` names.
    private func configuredSources(_ settings: PipelineSettings, saved: [SourceID: Checkpoint],
                                   store: CheckpointStore?) throws -> [TapSource] {
        let chosen = settings.sources.filter { source == nil || $0.id.rawValue == source }
        guard !chosen.isEmpty else {
            let known = settings.sources.map(\.id.rawValue).joined(separator: ", ")
            throw ValidationError("--source \(source ?? ""): no such source in the configuration (it has: \(known.isEmpty ? "none" : known))")
        }
        return try chosen.map { configured throws -> TapSource in
            switch configured.kind {
            case let .journal(configuration):
                return .journal(try JournalSource(configuration: configuration, checkpoint: saved[configured.id]), store: store)
            case let .files(configuration):
                let fileStore = checkpoint.map { FileCheckpointStore(path: "\($0).\(configured.id.rawValue)") }
                return .files(try FileSource(configuration: configuration, state: try fileStore?.load()), store: fileStore)
            }
        }
    }

    static func fallbackPosition(_ text: String) -> JournalSourceConfiguration.FallbackPosition? {
        switch text {
        case "head": return .head
        case "tail": return .tail
        default:
            guard let unit = text.last, let value = Int64(text.dropLast()), value > 0 else { return nil }
            let seconds: Int64? = switch unit {
            case "s": value
            case "m": value * 60
            case "h": value * 3600
            case "d": value * 86400
            default: nil
            }
            return seconds.map { .maxAge(.seconds($0)) }
        }
    }

    private static func fail(_ message: String) -> Never {
        let line = "rationd tap: error: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        Glibc.exit(1)
    }
}

/// A tapped source and how its checkpoint is committed once the output is written.
struct TapSource {
    let source: any LogSource
    let commit: (Checkpoint) throws -> Void

    static func journal(_ source: JournalSource, store: CheckpointStore?) -> TapSource {
        TapSource(source: source) { checkpoint in
            try store?.save(checkpoint)
            source.acknowledge(checkpoint)
        }
    }

    /// File sources keep one position per file: acknowledge first, then save the whole state.
    static func files(_ source: FileSource, store: FileCheckpointStore?) -> TapSource {
        TapSource(source: source) { checkpoint in
            source.acknowledge(checkpoint)
            try store?.save(source.checkpointState())
        }
    }
}

/// SIGINT/SIGTERM end the tap after the batch in hand is written and committed; SIGPIPE is
/// ignored so a closed output ends it with EPIPE instead of killing it mid-commit.
enum TapSignals {
    /// Set on whichever thread takes the signal and read on another, so an atomic: a plain
    /// sig_atomic_t is safe only within one thread.
    private static let flag = Atomic<Bool>(false)

    static var stopRequested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        // Initialise the lazy static now: the handler must not be the first to touch it.
        _ = flag.load(ordering: .relaxed)
        signal(SIGPIPE, SIG_IGN)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in TapSignals.flag.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }
}
