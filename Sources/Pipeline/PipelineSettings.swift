import AlertStore
import Configuration
import Foundation
import Ingest
import RationCore
import Reasoning
import TemplateMiner
import Triage

/// The daemon configuration translated into each component's own typed configuration, plus
/// the pipeline's paths and limits. Built once at start (`init(_:)` validates everything, so a
/// bad setting stops the daemon before anything is read).
public struct PipelineSettings: Sendable {
    /// One configured source and how its records are windowed.
    public struct Source: Sendable {
        public enum Kind: Sendable {
            case journal(JournalSourceConfiguration)
            case files(FileSourceConfiguration)
        }
        public var id: SourceID
        public var kind: Kind
        public var sessionizer: SessionizerConfiguration
        /// Journal: records less severe than this only teach the miner (nil: all are windowed).
        public var windowedPriority: Priority?
    }

    public var sources: [Source]
    public var miner: MinerConfiguration
    public var triage: TriageConfiguration
    /// `triage.threshold` as configured (0…1); `triage.threshold` is in bits.
    public var triageThreshold: Double
    /// nil: reasoning disabled (escalated windows are stored as `skipped`).
    public var reasoning: ReasoningConfiguration?
    public var demo: Bool
    public var store: AlertStoreConfiguration
    public var stateDirectory: String
    /// Records queued between the source threads and the stage task.
    public var queueCapacity: Int
    /// Bytes of records queued there (`LogRecord.queuedBytes`).
    public var queueMaxBytes: Int
    /// Records read per `nextBatch` call.
    public var batchSize: Int
    public var minerSnapshotInterval: Duration
    public var triageSnapshotInterval: Duration
    /// How often checkpoints are committed, idle windows closed and statistics refreshed.
    public var tickInterval: Duration = .milliseconds(500)
    public var shutdownTimeout: Duration
    public var host: String?

    public var journalCheckpointPath: String { "\(stateDirectory)/checkpoints.json" }
    public func fileCheckpointPath(_ id: SourceID) -> String { "\(stateDirectory)/checkpoints.\(id.rawValue).json" }
    public var minerSnapshotPath: String { "\(stateDirectory)/miner.snapshot" }
    public var triageSnapshotPath: String { "\(stateDirectory)/triage.snapshot" }
    public var verdictCachePath: String { "\(stateDirectory)/verdicts.cache" }
    /// `reasoning.cache_size` and `reasoning.cache_max_bytes`, which bound the cache also while
    /// reasoning is off (operator labels are still written to it then).
    public var verdictCacheSize: Int
    public var verdictCacheMaxBytes: Int

    /// Sent as the model name when `reasoning.model` is unset (llama.cpp and vLLM serving one
    /// model answer with the loaded one).
    public static let defaultModelName = "default"

    public init(_ c: RationdConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) throws(PipelineError) {
        stateDirectory = environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? c.daemon.stateDirectory
        queueCapacity = c.daemon.queueCapacity
        queueMaxBytes = c.daemon.queueMaxBytes
        verdictCacheSize = c.reasoning.cacheSize
        verdictCacheMaxBytes = c.reasoning.cacheMaxBytes
        batchSize = max(1, min(512, c.daemon.queueCapacity / 4))
        shutdownTimeout = c.daemon.shutdownTimeout
        minerSnapshotInterval = c.miner.snapshotInterval
        triageSnapshotInterval = c.triage.snapshotInterval
        demo = c.reasoning.demo
        host = ProcessInfo.processInfo.hostName

        miner = c.miner
        do { try miner.validate() } catch { throw .configuration(key: "miner", reason: error.description) }

        triageThreshold = c.triage.threshold
        triage = TriageConfiguration(threshold: c.triage.threshold, warmupWindows: c.triage.warmupWindows,
                                     escalationBudgetPerHour: c.triage.escalationBudgetPerHour == 0 ? nil : c.triage.escalationBudgetPerHour,
                                     rareFraction: c.triage.rareFraction, burstRatio: c.triage.burstFactor,
                                     burstMinimumEvents: c.triage.burstMinimumEvents)
        do { try triage.validate() } catch { throw .configuration(key: "triage", reason: error.description) }

        sources = []
        let s = c.sessionizer
        if c.sources.journal.enabled {
            let j = c.sources.journal
            let open: JournalSourceConfiguration.OpenMode = j.directory.map { .directory($0) }
                ?? j.namespace.map { .namespace($0) } ?? .local
            let journal = JournalSourceConfiguration(
                id: "journal", open: open, units: j.units,
                maxPriority: j.learnFromAllPriorities ? nil : j.maxPriority,
                readFrom: j.startAt == .beginning ? .head : .tail, fallback: .maxAge(j.maxAge), maxLineBytes: j.maxLineBytes)
            do { try journal.validate() } catch { throw .configuration(key: "sources.journal", reason: error.description) }
            let field: SessionizerConfiguration.RecordField
            switch s.journalKeyField {
            case "_SYSTEMD_UNIT": field = .unit
            case "SYSLOG_IDENTIFIER": field = .identifier
            default:
                throw .configuration(key: "sessionizer.journal_key_field",
                                     reason: "\"\(s.journalKeyField)\" is not supported (_SYSTEMD_UNIT or SYSLOG_IDENTIFIER)")
            }
            sources.append(Source(id: "journal", kind: .journal(journal),
                                  sessionizer: try Self.sessionizer(.field(field), s, key: "sessionizer"),
                                  windowedPriority: j.learnFromAllPriorities ? j.maxPriority : nil))
        }
        for f in c.sources.files {
            let id = SourceID("files.\(f.name)")
            let files = FileSourceConfiguration(id: id, include: [f.path], exclude: f.exclude, maxLineBytes: f.maxLineBytes,
                                                startAt: f.startAt == .beginning ? .beginning : .end)
            do { try files.validate() } catch { throw .configuration(key: "sources.files \(f.name)", reason: error.description) }
            let keying: SessionizerConfiguration.Keying
            if let pattern = f.sessionKeyPattern {
                do { keying = .capture(try SessionKeyPattern(Self.unwrappedCapture(pattern))) } catch {
                    throw .configuration(key: "sources.files \(f.name).session_key_pattern", reason: error.description)
                }
            } else {
                keying = .countWindow(size: s.countWindow, slide: s.countStep)
            }
            sources.append(Source(id: id, kind: .files(files),
                                  sessionizer: try Self.sessionizer(keying, s, key: "sources.files \(f.name)"),
                                  windowedPriority: nil))
        }

        let storeDirectory = c.store.directory.hasPrefix("/") ? c.store.directory : "\(stateDirectory)/\(c.store.directory)"
        store = AlertStoreConfiguration(directory: storeDirectory, segmentMaxBytes: c.store.segmentBytes,
                                        totalMaxBytes: c.store.maxBytes, maxAge: c.store.retention,
                                        quota: StoreQuota(protectedShare: c.store.protectedShare),
                                        syncPolicy: SyncPolicy(interval: c.store.syncInterval))

        if c.reasoning.enabled, c.reasoning.maxCallsPerMinute > 0 {
            let key: APIKeySource?
            if let file = c.reasoning.apiKeyFile {
                key = .file(file)
            } else if let credential = c.reasoning.apiKeyCredential, let directory = environment["CREDENTIALS_DIRECTORY"],
                      FileManager.default.fileExists(atPath: "\(directory)/\(credential)") {
                key = .credential(credential)
            } else {
                key = nil
            }
            var r = ReasoningConfiguration(
                endpoints: c.reasoning.endpoints.map { .init(baseURL: $0, model: c.reasoning.model ?? Self.defaultModelName, apiKey: key) },
                temperature: c.reasoning.temperature, maxTokens: c.reasoning.maxTokens,
                requestTimeout: c.reasoning.requestTimeout, maxConcurrent: c.reasoning.maxConcurrency,
                callsPerMinute: c.reasoning.maxCallsPerMinute, queueCapacity: c.reasoning.queueLength,
                windowPromptEnabled: c.reasoning.windowPrompt,
                rejudgeSkipped: c.reasoning.rejudgeSkipped, rejudgeInterval: c.reasoning.rejudgeInterval,
                rejudgeCapacity: c.reasoning.rejudgeCapacity)
            r.cachePath = verdictCachePath
            r.cacheSize = verdictCacheSize
            r.cacheMaxBytes = verdictCacheMaxBytes
            r.fewShot = .init(maxExamples: c.reasoning.fewShotExamples, maxTokens: c.reasoning.fewShotMaxTokens,
                              examplesPath: c.reasoning.fewShotFile)
            do { try r.validate() } catch { throw .configuration(key: "reasoning", reason: error.description) }
            reasoning = r
        } else {
            reasoning = nil
        }
    }

    /// `(blk_-?\d+)` → `blk_-?\d+`: a capture group around the whole pattern keys by the whole
    /// match anyway, and without it the sessionizer's literal-prefix matcher applies instead of
    /// a regular expression.
    static func unwrappedCapture(_ pattern: String) -> String {
        guard pattern.hasPrefix("("), pattern.hasSuffix(")"), !pattern.hasPrefix("(?") else { return pattern }
        let inner = pattern.dropFirst().dropLast()
        guard !inner.contains("("), !inner.contains(")"), !inner.contains("|") else { return pattern }
        return String(inner)
    }

    private static func sessionizer(_ keying: SessionizerConfiguration.Keying, _ s: SessionizerConfig,
                                    key: String) throws(PipelineError) -> SessionizerConfiguration {
        let configuration = SessionizerConfiguration(keying: keying, idleGap: s.idleGap, maxEvents: s.maxEvents,
                                                     maxDuration: s.maxDuration,
                                                     maxEventsKept: min(1_000, max(s.maxEvents, s.countWindow)))
        do { try configuration.validate() } catch { throw .configuration(key: key, reason: error.description) }
        return configuration
    }
}
