import ArgumentParser

@main
struct Rationd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rationd",
        abstract: "Log anomaly agent: follows journald and log files, mines templates, triages windows, asks an LLM to reason about the suspicious ones.",
        version: RationdVersion.current,
        subcommands: [
            ParseCommand.self,
            AlertsCommand.self,
            TapCommand.self,
            FollowFilesCommand.self,
            EvalCommand.self,
            RunCommand.self,
            RewardCommand.self,
            ExportCommand.self,
            DistillCommand.self,
        ]
    )

    @OptionGroup var checkConfig: CheckConfigOptions

    func run() async throws {
        guard checkConfig.enabled else { throw CleanExit.helpRequest(self) }
        try checkConfig.check()
    }
}

enum RationdVersion {
    static let current = "0.1.0"
}
