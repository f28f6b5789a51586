import ArgumentParser
import CBuildInfo

/// The lab beside the daemon: template mining on files, evaluations on labelled data, the
/// RationAnomaly reward, fine-tuning exports and teacher distillation. Nothing here runs in
/// production; `rationd` is the daemon.
@main
struct Rationlab: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rationlab",
        abstract: "Offline tools for rationd: mine templates from files, evaluate parsing, detection and reasoning, score completions, export and distill training data.",
        version: String(cString: rationd_build_version()),
        subcommands: [
            ParseCommand.self,
            EvalCommand.self,
            RewardCommand.self,
            ExportCommand.self,
            DistillCommand.self,
        ]
    )

    @Option(name: .long, help: ArgumentHelp("rationd's configuration file, for the commands that read its state or settings (distill, export).", valueName: "file"))
    var config: String?
}
