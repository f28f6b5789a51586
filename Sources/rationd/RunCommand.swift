import ArgumentParser
import Configuration
import Foundation
import Logging
import Pipeline
import RationDaemon

/// `rationd run`: the long-running daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: sources, miner, triage, reasoning, alert store, control socket, sd_notify, reload on SIGHUP, graceful stop on SIGTERM.")

    /// `--config` belongs to the root command (shared with `--check-config`).
    @ParentCommand var parent: Rationd

    func run() async throws {
        let loaded: (path: String?, configuration: RationdConfiguration)
        do { loaded = try ConfigurationHolder.load(path: parent.checkConfig.config) } catch {
            FileHandle.standardError.write(Data("rationd: \(error)\n".utf8))
            throw ExitCode.failure
        }
        // daemon.log_level, changed in place by a reload.
        let level = LogLevelSwitch(Logger.Level(rawValue: loaded.configuration.daemon.logLevel.rawValue) ?? .info)
        LoggingSystem.bootstrap { label in level.handler(label: label) }
        let logger = Logger(label: "rationd")
        logger.info("starting", metadata: ["version": "\(RationdVersion.current)",
                                           "config": "\(loaded.path ?? "built-in defaults")"])
        let daemon = RationDaemon(version: RationdVersion.current, path: loaded.path,
                                  configuration: loaded.configuration, logger: logger, logLevel: level)
        let pipeline: PipelineService
        do {
            let (settings, notices) = try PipelineSettings.preflight(loaded.configuration)
            for notice in notices { logger.notice("\(notice)") }
            pipeline = try PipelineService(settings: settings, logger: logger, recoveries: daemon.recoveries) { [daemon] alert, event, demo in
                daemon.publish(alert, event: event, demo: demo)
            }
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        do {
            try await daemon.run(pipeline: pipeline.monitor, services: [pipeline], archive: pipeline.archive,
                                 reconfigurable: pipeline)
        } catch let error as DaemonStartError {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `rationd --check-config [--config FILE] [--show]`: validate as `run` would start, and name
/// the file, line and key of an error.
struct CheckConfigOptions: ParsableArguments {
    @Flag(name: .customLong("check-config"), help: "Validate the configuration file and exit (0 valid, 1 invalid).")
    var enabled = false

    @Option(name: .long, help: ArgumentHelp("Configuration file (default /etc/rationd/rationd.toml; `run` uses the built-in defaults when it does not exist). Drop-ins FILE.d/*.toml are read after it in lexical order: tables merge, a repeated key replaces, [[arrays of tables]] append.", valueName: "file"))
    var config: String?

    @Flag(help: "With --check-config: print the effective configuration (file and drop-ins merged), each key with the file:line that set it.")
    var show = false

    /// Every check `rationd run` makes before it starts (`PipelineSettings.preflight`), so a
    /// file that passes here does not fail at start for its content.
    func check() throws {
        let path = config ?? RationdConfiguration.defaultPath
        let configuration: RationdConfiguration
        do { configuration = try RationdConfiguration(contentsOf: path) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode.failure
        }
        do {
            for notice in try PipelineSettings.preflight(configuration).notices {
                FileHandle.standardError.write(Data("\(path): notice: \(notice)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            throw ExitCode.failure
        }
        if show {
            do { print(try EffectiveConfiguration.render(path: path), terminator: "") } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode.failure
            }
        }
        let files = RationdConfiguration.files(for: path)
        print(files.count > 1 ? "\(path) with \(files.count - 1) drop-in(s): valid" : "\(path): valid")
    }
}
