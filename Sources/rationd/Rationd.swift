import ArgumentParser

@main
struct Rationd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rationd",
        abstract: "Log anomaly agent: follows journald and log files, mines templates, triages windows, asks an LLM to reason about the suspicious ones.",
        version: RationdVersion.current,
        subcommands: [ParseCommand.self, EvalCommand.self]
    )
}

enum RationdVersion {
    static let current = "0.1.0"
}
