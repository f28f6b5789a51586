import ArgumentParser
import CBuildInfo

@main
struct Rationd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rationd",
        abstract: "Log anomaly agent: follows journald and log files, mines templates, triages windows, asks an LLM to reason about the suspicious ones.",
        discussion: "Offline tools (parse, eval, reward, export, distill) are in rationlab(1).",
        version: RationdVersion.current,
        subcommands: [
            RunCommand.self,
            AlertsCommand.self,
            TapCommand.self,
            FollowFilesCommand.self,
        ]
    )

    @OptionGroup var checkConfig: CheckConfigOptions

    func run() async throws {
        guard checkConfig.enabled else { throw CleanExit.helpRequest(self) }
        try checkConfig.check()
    }
}

enum RationdVersion {
    /// What `make` built in from `git describe` (scripts/version).
    static let current = String(cString: rationd_build_version())
}
