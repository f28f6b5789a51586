import ArgumentParser

/// `rationlab eval`: offline evaluations on labelled datasets, one subcommand per stage.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate pipeline stages on labelled datasets.",
        subcommands: [EvalDetectionCommand.self, EvalReasoningCommand.self, EvalFewShotCommand.self]
    )
}
