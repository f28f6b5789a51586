import Configuration

/// A part of the running daemon that applies a reloaded configuration in place (the pipeline:
/// sources, triage, reasoning). Only the settings `ReloadScope` marks live are its business;
/// the daemon reports the others as needing a restart.
public protocol LiveReconfigurable: Sendable {
    /// Applies `new` in place of `old`. Throws, changing nothing, when `new` cannot be applied
    /// (a source that cannot be opened, an API key file that cannot be read); the daemon then
    /// keeps `old`.
    func reconfigure(from old: RationdConfiguration, to new: RationdConfiguration) async throws
}
