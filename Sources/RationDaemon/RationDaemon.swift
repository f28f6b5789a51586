import Configuration
import Control
import Foundation
import Logging
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
    let journal = JournalAlertWriter()
    let logger: Logger

    public init(version: String, path: String?, configuration: RationdConfiguration, logger: Logger) {
        self.version = version
        self.holder = ConfigurationHolder(path: path, initial: configuration)
        self.board = AlertBoard()
        self.logger = logger
    }

    /// A new or updated alert: to the board (control socket) and to the journal.
    public func publish(_ alert: Alert, demo: Bool) {
        board.publish(alert)
        let result = journal.write(alert, demo: demo)
        if result < 0 {
            logger.warning("cannot write alert to the journal", metadata: ["alert": "\(alert.id)", "errno": "\(-result)"])
        }
    }

    /// Validates and applies the configuration file; keeps the running one when invalid.
    /// Tells systemd RELOADING=1 … READY=1 around it and logs what changed.
    public func reload(origin: String) async throws -> [String] {
        notifier.reloading()
        defer { notifier.ready(status: "reloaded") }
        do {
            let changes = try await holder.reload()
            if changes.isEmpty {
                logger.notice("configuration reloaded: no changes", metadata: ["origin": "\(origin)"])
            } else {
                for change in changes {
                    logger.notice("configuration changed: \(change)", metadata: ["origin": "\(origin)"])
                }
            }
            return changes.map(\.description)
        } catch {
            logger.error("configuration reload failed, keeping the running configuration: \(error)", metadata: ["origin": "\(origin)"])
            throw ControlError.reloadFailed(error.description)
        }
    }

    /// Binds the control socket, then runs every service until SIGTERM/SIGINT.
    /// `archive`: durable alerts for ListAlerts/GetAlert/LabelAlert (nil: the board's).
    public func run(pipeline: (any PipelineIntrospection)? = nil, services extra: [any Service] = [],
                    archive: (any AlertArchive)? = nil) async throws {
        let configuration = await holder.current
        let pipeline = pipeline ?? IdlePipeline(budgetPerMinute: configuration.reasoning.maxCallsPerMinute,
                                                demo: configuration.reasoning.demo)
        let server = try await bindControl(configuration.control, pipeline: pipeline, archive: archive)
        logger.info("control socket listening", metadata: ["socket": "\(configuration.control.socket)"])

        let board = self.board
        let status: @Sendable () async -> String = { [version] in
            let queues = await pipeline.queues().map { "\($0.name) \($0.depth)/\($0.capacity)" }.joined(separator: ", ")
            let last = board.last.map { "last alert \($0.id)" } ?? "no alerts yet"
            return "rationd \(version): \(board.count) alerts, \(last)\(queues.isEmpty ? "" : "; queues \(queues)")"
        }
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            extra.map { .init(service: $0) } + [
                .init(service: ControlService(server: server, board: board)),
                .init(service: ReloadSignalService { [self] in _ = try? await self.reload(origin: "SIGHUP") }),
                .init(service: SystemdStatusService(notifier: notifier, statusInterval: configuration.daemon.statusInterval,
                                                    status: status, logger: logger)),
            ]
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                           logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.daemon.shutdownTimeout
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("stopped")
    }

    private func bindControl(_ control: ControlConfig, pipeline: any PipelineIntrospection,
                             archive: (any AlertArchive)?) async throws -> ControlServer {
        var serverConfiguration = ControlServerConfiguration(socketPath: control.socket, version: version)
        serverConfiguration.maxMessageBytes = control.maxMessageBytes
        serverConfiguration.maxConnections = control.maxConnections
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
        let handler = DaemonControlHandler(version: version, board: board, pipeline: pipeline, archive: archive) { [self] in
            try await self.reload(origin: "varlink")
        }
        do {
            return try await ControlServer.bind(configuration: serverConfiguration, handler: handler)
        } catch {
            throw DaemonStartError(description: "control socket: \(error)")
        }
    }
}
