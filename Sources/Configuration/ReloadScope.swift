/// Which settings a reload (SIGHUP, `rationctl reload`) applies to the running daemon and
/// which take effect only after a restart. Sources, triage, reasoning, the log level, the
/// status interval and the snapshot intervals are applied live; the rest is fixed when the
/// daemon starts (the state directory and alert store are open and locked, the control socket
/// is bound, the miner's tree and the sessionizers are built from their settings, and the
/// queues and shutdown limit belong to the service group).
public enum ReloadScope {
    /// Property-path prefixes (as in `ConfigurationChange.key`) applied by a reload.
    public static let live: [String] = [
        "sources.", "triage.", "reasoning.", "daemon.logLevel", "daemon.statusInterval", "miner.snapshotInterval",
    ]

    /// Whether a change of `key` is applied by a reload.
    public static func appliesLive(_ key: String) -> Bool {
        live.contains { prefix in prefix.hasSuffix(".") ? key.hasPrefix(prefix) : key == prefix }
    }
}

extension ConfigurationChange {
    /// True when the running daemon keeps the old value until it is restarted.
    public var needsRestart: Bool { !ReloadScope.appliesLive(key) }
}

extension RationdConfiguration {
    /// This configuration with the live settings (see `ReloadScope`) taken from `file`: what a
    /// daemon started with `self` runs after reloading `file`.
    public func withLiveSettings(of file: RationdConfiguration) -> RationdConfiguration {
        var running = self
        running.sources = file.sources
        running.triage = file.triage
        running.reasoning = file.reasoning
        running.daemon.logLevel = file.daemon.logLevel
        running.daemon.statusInterval = file.daemon.statusInterval
        running.miner.snapshotInterval = file.miner.snapshotInterval
        return running
    }
}
