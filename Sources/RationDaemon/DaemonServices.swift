import Control
import Logging
import ServiceLifecycle
import UnixSignals

/// Serves the control socket until graceful shutdown.
struct ControlService: Service, CustomStringConvertible {
    let server: ControlServer
    let board: AlertBoard
    var description: String { "ControlService(\(server.configuration.socketPath))" }

    func run() async throws {
        defer { board.finish() }
        do {
            try await cancelWhenGracefulShutdown { try await server.serve() }
        } catch is CancellationError {
            // Graceful shutdown: the server closed its connections and removed the socket.
        }
    }
}

/// Reloads on SIGHUP until graceful shutdown.
struct ReloadSignalService: Service, CustomStringConvertible {
    let reload: @Sendable () async -> Void
    var description: String { "ReloadSignalService" }

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await reload()
        }
    }
}

/// Talks to systemd: READY=1 once every service has started (it starts last), STATUS= every
/// `statusInterval` (read again after each, so a reload applies it), WATCHDOG=1 at half the
/// watchdog interval while every stage makes progress (`stalled` lists none silent for half
/// the interval), STOPPING=1 when shutdown begins. A stuck stage thus stops the pings, and
/// systemd restarts the daemon once `WatchdogSec=` passes without one.
struct SystemdStatusService: Service, CustomStringConvertible {
    let notifier: SystemdNotifier
    let statusInterval: @Sendable () async -> Duration
    let status: @Sendable () async -> String
    let stalled: @Sendable (Duration) async -> [String]
    let logger: Logger
    var description: String { "SystemdStatusService" }

    func run() async throws {
        let watchdog = notifier.watchdogInterval
        notifier.ready(status: await status())
        logger.info("ready", metadata: ["watchdog": "\(watchdog.map { "\($0)" } ?? "off")"])
        do {
            try await cancelWhenGracefulShutdown {
                var sinceStatus = Duration.zero
                var stuck: [String] = []
                while true {
                    let interval = await statusInterval()
                    let tick = watchdog.map { min($0 / 2, interval) } ?? interval
                    try await Task.sleep(for: tick)
                    if let watchdog {
                        let now = await stalled(watchdog / 2)
                        if now.isEmpty {
                            notifier.watchdog()
                            if !stuck.isEmpty { logger.notice("every stage makes progress again; watchdog pings resume") }
                        } else if stuck.isEmpty {
                            logger.error("no progress: watchdog pings stop, systemd restarts the daemon after WatchdogSec",
                                         metadata: ["stalled": "\(now.joined(separator: ", "))"])
                        }
                        stuck = now
                    }
                    sinceStatus += tick
                    if sinceStatus >= interval {
                        sinceStatus = .zero
                        notifier.status(await status())
                    }
                }
            }
        } catch is CancellationError {}
        notifier.stopping()
        logger.info("stopping")
    }
}
