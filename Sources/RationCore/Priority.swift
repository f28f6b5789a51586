/// syslog/journald severity: lower is more severe (`emerg` = 0 … `debug` = 7).
public enum Priority: Int, Comparable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .emerg: "emerg"
        case .alert: "alert"
        case .crit: "crit"
        case .err: "err"
        case .warning: "warning"
        case .notice: "notice"
        case .info: "info"
        case .debug: "debug"
        }
    }

    /// Parses a number `0`…`7` or a name (`err`, `error`, `warn`, `warning`, …).
    public init?(parsing text: String) {
        if let n = Int(text), let p = Priority(rawValue: n) { self = p; return }
        switch text.lowercased() {
        case "emerg", "emergency", "panic": self = .emerg
        case "alert": self = .alert
        case "crit", "critical", "fatal": self = .crit
        case "err", "error": self = .err
        case "warning", "warn": self = .warning
        case "notice": self = .notice
        case "info", "informational": self = .info
        case "debug", "trace": self = .debug
        default: return nil
        }
    }
}
