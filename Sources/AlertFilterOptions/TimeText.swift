import Foundation
import RationCore

/// Times for people and from people: `--since 1h` (ago, in the configuration's duration grammar), `--since 2026-11-26T10:00:00Z`,
/// `--since @1764150000` or `1764150000` (epoch seconds); printed in UTC.
public enum TimeText {
    /// Microseconds since the epoch, or nil when the text is not a time.
    public static func parse(_ text: String, now: Date = Date()) -> Int64? {
        if let seconds = Double(text.hasPrefix("@") ? String(text.dropFirst()) : text), seconds.isFinite {
            return Int64(seconds * 1_000_000)
        }
        if let ago = DurationText.parse(text) { return Int64(now.timeIntervalSince1970 * 1_000_000) - ago.microseconds }
        let iso = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            iso.formatOptions = options
            if let d = iso.date(from: text) { return Int64(d.timeIntervalSince1970 * 1_000_000) }
        }
        let plain = DateFormatter()
        plain.locale = Locale(identifier: "en_US_POSIX")
        plain.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            plain.dateFormat = format
            if let d = plain.date(from: text) { return Int64(d.timeIntervalSince1970 * 1_000_000) }
        }
        return nil
    }

    public static func timestamp(_ microseconds: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)) + "Z"
    }

    public static func duration(seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.0fms", seconds * 1000) }
        if seconds < 120 { return String(format: "%.1fs", seconds) }
        if seconds < 7200 { return String(format: "%.0fm", seconds / 60) }
        if seconds < 172_800 { return String(format: "%.1fh", seconds / 3600) }
        return String(format: "%.1fd", seconds / 86400)
    }

    public static func bytes(_ n: Int) -> String {
        if n >= 1 << 30 { return String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / Double(1 << 10)) }
        return "\(n) B"
    }
}
