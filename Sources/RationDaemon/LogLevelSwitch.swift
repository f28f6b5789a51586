import Foundation
import Logging
import Synchronization

/// The daemon's log level, changeable while it runs (`daemon.log_level` on reload). Every
/// handler made by `handler(label:)` reads it on each log call, so loggers created at start
/// follow a reload without being recreated.
public final class LogLevelSwitch: Sendable {
    private let raw: Atomic<Int>

    public init(_ level: Logger.Level) { raw = Atomic(Self.index(level)) }

    public var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.index(newValue), ordering: .relaxed) }
    }

    /// A standard-error handler whose level is this switch's: with journald's priority prefix
    /// when standard error is the service's journal stream, plain text otherwise.
    public func handler(label: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> some LogHandler {
        let inner: any LogHandler = JournalStream.isStandardError(environment: environment)
            ? SyslogPrefixLogHandler(label: label) : StreamLogHandler.standardError(label: label)
        return SwitchedLogHandler(inner: inner, levelSwitch: self)
    }

    private static func index(_ level: Logger.Level) -> Int { Logger.Level.allCases.firstIndex(of: level) ?? 2 }
}

/// Forwards to the output handler; the level comes from the shared switch unless a logger sets
/// its own (a logger's level is a value and must not change other loggers).
struct SwitchedLogHandler: LogHandler {
    var inner: any LogHandler
    let levelSwitch: LogLevelSwitch
    private var own: Logger.Level?

    init(inner: any LogHandler, levelSwitch: LogLevelSwitch) {
        self.inner = inner
        self.levelSwitch = levelSwitch
    }

    var logLevel: Logger.Level {
        get { own ?? levelSwitch.level }
        set { own = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) { inner.log(event: event) }
}
