/// Durations written as text, in the configuration and on the command line (`--since 2h`):
/// `500ms`, `30s`, `5m`, `1h`, `7d`, `2w`, or sums such as `1h30m`. One grammar for both, so
/// what a config file accepts a filter accepts too.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var rest = Substring(text.trimmingWhitespace())
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, let value = Double(digits), value.isFinite else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m", "min": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            case "w": scale = 604_800
            default: return nil
            }
            let seconds = value * scale
            guard seconds < 1e10 else { return nil }
            total += .microseconds(Int64((seconds * 1_000_000).rounded()))
        }
        return total
    }

    /// The shortest exact form: `30s`, `5m`, `1h`, `250ms`.
    public static func format(_ duration: Duration) -> String {
        let us = duration.microseconds
        if us % 1_000_000 != 0 { return us % 1000 == 0 ? "\(us / 1000)ms" : "\(Double(us) / 1_000_000)s" }
        let s = us / 1_000_000
        if s != 0, s % 86400 == 0 { return "\(s / 86400)d" }
        if s != 0, s % 3600 == 0 { return "\(s / 3600)h" }
        if s != 0, s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

/// Byte sizes written as text: `4096`, `64KiB`, `256MiB`, `1GiB` (also `KB`/`MB`/`GB` as
/// powers of 1000).
public enum ByteSizeText {
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingWhitespace()
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty, let n = Int(digits) else { return nil }
        let unit = t.dropFirst(digits.count).trimmingWhitespace()
        let scale: Int
        switch unit {
        case "", "B": scale = 1
        case "KiB", "K": scale = 1 << 10
        case "MiB", "M": scale = 1 << 20
        case "GiB", "G": scale = 1 << 30
        case "KB": scale = 1000
        case "MB": scale = 1_000_000
        case "GB": scale = 1_000_000_000
        default: return nil
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    public static func format(_ bytes: Int) -> String {
        for (unit, scale) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes != 0 && bytes % scale == 0 {
            return "\(bytes / scale)\(unit)"
        }
        return "\(bytes)"
    }
}
