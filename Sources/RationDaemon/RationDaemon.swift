import Configuration
import Control
import Foundation
import Logging
import NIOConcurrencyHelpers
import RationCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Why the daemon could not start.
public struct DaemonStartError: Error, CustomStringConvertible {
    public var description: String
}

/// `rationd run`: the services behind one ServiceGroup, graceful shutdown on SIGTERM/SIGINT,
/// reload on SIGHUP and over the control socket, sd_notify throughout.
///
/// Runs the control socket, the alert board and systemd integration; the pipeline stages
/// (sources, miner, sessionizer, triage, reasoning, store) join `services` as they are wired,
/// publishing alerts with `publish(_:)` and reporting through `PipelineIntrospection`.
public final class RationDaemon: Sendable {
    public let version: String
    public let holder: ConfigurationHolder
    public let board: AlertBoard
    public let notifier = SystemdNotifier()
    /// Damaged state files set aside since start; `rationctl status` shows them until acknowledged.
    public let recoveries = RecoveryLog()
    /// The log level `daemon.log_level` sets, at start and on reload.
    public let logLevel: LogLevelSwitch
    let journal = JournalAlertWriter()
    let logger: Logger
    /// The configuration the daemon started with: settings a reload cannot apply keep these values.
    let started: RationdConfiguration
    /// Changes in the file that wait for a restart (vs `started`), after the last reload.
    private let restartPending = NIOLockedValueBox<[ConfigurationChange]>([])
    /// Reloads run one after another (SIGHUP and varlink may race).
    private let reloads = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let reconfigurable = NIOLockedValueBox<(any LiveReconfigurable)?>(nil)

    public init(version: String, path: String?, configuration: RationdConfiguration, logger: Logger,
                logLevel: LogLevelSwitch? = nil) {
        self.version = version
        self.holder = ConfigurationHolder(path: path, initial: configuration)
        self.board = AlertBoard()
        self.logger = logger
        self.started = configuration
        self.logLevel = logLevel ?? LogLevelSwitch(Logger.Level(rawValue: configuration.daemon.logLevel.rawValue) ?? .info)
    }

    /// Settings changed in the file that the running daemon keeps at their start values until
    /// it is restarted (`key: running -> in the file`).
    public var restartNeeded: [String] { restartPending.withLockedValue { $0.map(\.description) } }

    /// A new or updated alert: to the board (control socket) and to the journal.
    public func publish(_ alert: Alert, event: AlertEvent = .raised, demo: Bool) {
        board.publish(alert)
        let result = journal.write(alert, event: event, demo: demo)
        if result < 0 {
            logger.warning("cannot write alert to the journal", metadata: ["alert": "\(alert.id)", "errno": "\(-result)"])
        }
    }

    /// Validates the configuration file, applies what can change while running (see
    /// `ReloadScope`) and keeps the running configuration when the file is invalid or cannot be
    /// applied. Tells systemd RELOADING=1 … READY=1 around it; logs and returns each change,
    /// marked "applied" or "needs a restart".
    public func reload(origin: String) async throws -> [String] {
        let task = reloads.withLockedValue { previous -> Task<[String], any Error> in
            let task = Task { [previous] in
                await previous?.value
                return try await self.performReload(origin: origin)
            }
            previous = Task { _ = try? await task.value }
            return task
        }
        return try await task.value
    }

    private func performReload(origin: String) async throws -> [String] {
        notifier.reloading()
        var restart: [ConfigurationChange] = restartPending.withLockedValue { $0 }
        defer { notifier.ready(status: restart.isEmpty ? "reloaded" : "reloaded; restart needed for \(restart.map(\.key).joined(separator: ", "))") }
        let old = await holder.current
        let next: RationdConfiguration
        do {
            guard let read = try await holder.read() else {
                logger.notice("configuration reloaded: no file, the built-in defaults stay", metadata: ["origin": "\(origin)"])
                return []
            }
            next = read
        } catch {
            logger.error("configuration reload failed, keeping the running configuration: \(error)", metadata: ["origin": "\(origin)"])
            throw ControlError.reloadFailed(error.description)
        }
        let changes = next.changes(from: old)
        if changes.contains(where: { !$0.needsRestart }) {
            do {
                // Both as the daemon runs them: restart-only settings at their start values.
                try await reconfigurable.withLockedValue { $0 }?.reconfigure(from: started.withLiveSettings(of: old),
                                                                             to: started.withLiveSettings(of: next))
            } catch {
                logger.error("configuration reload could not be applied, keeping the running configuration: \(error)",
                             metadata: ["origin": "\(origin)"])
                throw ControlError.reloadFailed("\(holder.path ?? "configuration"): cannot apply: \(error)")
            }
        }
        await holder.commit(next)
        logLevel.level = Logger.Level(rawValue: next.daemon.logLevel.rawValue) ?? .info
        restart = next.changes(from: started).filter(\.needsRestart)
        restartPending.withLockedValue { $0 = restart }
        if changes.isEmpty {
            logger.notice("configuration reloaded: no changes", metadata: ["origin": "\(origin)"])
        }
        // The value the daemon runs with is the one it started with, which an earlier reload
        // may already have changed in the file.
        let running = Dictionary(restart.map { ($0.key, $0.old) }, uniquingKeysWith: { first, _ in first })
        var described: [String] = []
        for change in changes {
            if !change.needsRestart {
                described.append("\(change) (applied)")
                logger.notice("configuration changed: \(change): applied", metadata: ["origin": "\(origin)"])
            } else if let value = running[change.key] {
                described.append("\(change) (needs a restart; running with \(value) until then)")
                logger.warning("configuration changed: \(change): needs a restart, the running daemon keeps \(value)",
                               metadata: ["origin": "\(origin)"])
            } else {
                described.append("\(change) (the value the daemon runs with)")
                logger.notice("configuration changed: \(change): back to the value the daemon runs with",
                              metadata: ["origin": "\(origin)"])
            }
        }
        return described
    }

    /// Binds the control socket, then runs every service until SIGTERM/SIGINT.
    /// `archive`: durable alerts for ListAlerts/GetAlert/LabelAlert (nil: the board's).
    /// `reconfigurable`: what applies reloaded settings (the pipeline); nil: reloads only check
    /// and report the file.
    public func run(pipeline: (any PipelineIntrospection)? = nil, services extra: [any Service] = [],
                    archive: (any AlertArchive)? = nil, reconfigurable: (any LiveReconfigurable)? = nil) async throws {
        self.reconfigurable.withLockedValue { $0 = reconfigurable }
        let configuration = await holder.current
        let pipeline = pipeline ?? IdlePipeline(budgetPerMinute: configuration.reasoning.maxCallsPerMinute,
                                                demo: configuration.reasoning.demo)
        let server = try await bindControl(configuration.control, pipeline: pipeline, archive: archive)
        logger.info("control socket listening", metadata: ["socket": "\(configuration.control.socket)"])

        let board = self.board
        let previous = NIOLockedValueBox<ThroughputSample?>(nil)
        let clock = ContinuousClock()
        let origin = clock.now
        let status: @Sendable () async -> String = { [version, self] in
            let queues = await pipeline.queues().map { "\($0.name) \($0.depth)/\($0.capacity)" }.joined(separator: ", ")
            let last = board.last.map { "last alert \($0.id)" } ?? "no alerts yet"
            let restart = self.restartNeeded.isEmpty ? "" : "; restart needed for \(self.restartPending.withLockedValue { $0.map(\.key) }.joined(separator: ", "))"
            let elapsed = origin.duration(to: clock.now).components
            let sample = ThroughputSample(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18,
                                          records: await pipeline.sources().reduce(0) { $0 + $1.records },
                                          windows: await pipeline.triage()?.assessed ?? 0, llmCalls: await pipeline.llm().calls)
            let rates = previous.withLockedValue { earlier -> String? in
                defer { earlier = sample }
                return earlier.flatMap { sample.rates(since: $0) }
            }
            return "rationd \(version): \(rates.map { "\($0); " } ?? "")\(board.count) alerts, \(last)\(queues.isEmpty ? "" : "; queues \(queues)")\(restart)"
        }
        let deadline = ShutdownDeadline(timeout: configuration.daemon.shutdownTimeout, logger: logger)
        let tracked: [any Service] = extra + [
            ControlService(server: server, board: board),
            ReloadSignalService { [self] in _ = try? await self.reload(origin: "SIGHUP") },
            SystemdStatusService(notifier: notifier, statusInterval: { [holder] in await holder.current.daemon.statusInterval },
                                 status: status, stalled: { await pipeline.stalledStages(silentFor: $0) }, logger: logger),
        ]
        // Shut down in reverse order: the deadline is armed first.
        let services = tracked.map { ServiceGroupConfiguration.ServiceConfiguration(service: deadline.track($0)) }
            + [.init(service: deadline.service)]
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                           logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.daemon.shutdownTimeout
        defer { deadline.disarm() }
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("stopped")
    }

    private func bindControl(_ control: ControlConfig, pipeline: any PipelineIntrospection,
                             archive: (any AlertArchive)?) async throws -> ControlServer {
        var serverConfiguration = ControlServerConfiguration(socketPath: control.socket, version: version)
        serverConfiguration.maxMessageBytes = control.maxMessageBytes
        serverConfiguration.maxConnections = control.maxConnections
        serverConfiguration.idleTimeout = control.idleTimeout
        serverConfiguration.requestTimeout = control.requestTimeout
        if let name = control.group {
            guard let group = getgrnam(name) else {
                throw DaemonStartError(description: "control.group: no group named \"\(name)\"")
            }
            serverConfiguration.group = group.pointee.gr_gid
        }
        let directory = (control.socket as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
            } catch {
                throw DaemonStartError(description: "\(directory): cannot create the socket's directory: \(error.localizedDescription)")
            }
        }
        let handler = DaemonControlHandler(version: version, board: board, pipeline: pipeline, archive: archive,
                                           restartNeeded: { [self] in restartNeeded }, recoveries: recoveries) { [self] in
            try await self.reload(origin: "varlink")
        }
        do {
            return try await ControlServer.bind(configuration: serverConfiguration, handler: handler)
        } catch {
            throw DaemonStartError(description: "control socket: \(error)")
        }
    }
}
