import Logging
import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines to standard error with a `<N>` syslog priority prefix, which journald
/// turns into the entry's PRIORITY (systemd's `SyslogLevelPrefix=`, on by default), so
/// `journalctl -u rationd -p warning` shows the daemon's warnings and errors and nothing else.
/// journald adds the time and the identifier; a line carries the logger label, the message and
/// its metadata as `key=value`.
package struct SyslogPrefixLogHandler: LogHandler {
    package let label: String
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?

    package init(label: String) { self.label = label }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog(3) priorities: a trace or debug line is debug (7).
    package static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        writeLine(Self.line(level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// One journal entry per call: newlines inside the message or values would split it.
    package static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var text = "<\(priority(level))>\(label): \(message)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { text += " \(key)=\(value)" }
        return text.replacingNewlines() + "\n"
    }

    /// One write(2) per line, so lines from several threads never interleave. A log line that
    /// cannot be written has nowhere to be reported.
    private func writeLine(_ line: String) { _ = DurableFile.writeAll(Array(line.utf8), to: STDERR_FILENO) }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
