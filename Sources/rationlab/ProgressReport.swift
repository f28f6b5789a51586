#if canImport(Glibc)
import Glibc
#endif

/// Progress of an offline command through its input, on stderr: a bar with rate and ETA
/// redrawn in place when stderr is a terminal, else one line every few seconds (for logs).
/// Silent for inputs under `minimumBytes`, which finish before anyone waits.
struct ProgressReport {
    static let minimumBytes = 8 << 20

    let label: String
    let total: Int
    private let enabled: Bool
    private let terminal: Bool
    private var start: Double
    private var last: Double
    private(set) var done = 0

    init(label: String, totalBytes: Int) {
        self.label = label
        total = totalBytes
        enabled = totalBytes >= Self.minimumBytes
        terminal = isatty(2) != 0
        start = Self.now()
        last = start
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Counts `bytes` more read; prints when the interval has passed (0.2 s on a terminal,
    /// 5 s otherwise).
    mutating func advance(by bytes: Int) {
        done += bytes
        guard enabled else { return }
        let now = Self.now()
        guard now - last >= (terminal ? 0.2 : 5) else { return }
        last = now
        write(Self.line(label: label, done: done, total: total, elapsed: now - start, barWidth: terminal ? 30 : 0),
              final: false)
    }

    /// The last report (clears the bar on a terminal).
    func finish() {
        guard enabled else { return }
        write(Self.line(label: label, done: done, total: total, elapsed: Self.now() - start, barWidth: 0), final: true)
    }

    private func write(_ text: String, final: Bool) {
        let out = terminal ? "\r\u{1B}[K" + text + (final ? "\n" : "") : text + "\n"
        _ = out.withCString { Glibc.write(2, $0, strlen($0)) }
    }

    /// `label  [#####.....]  45%  120.3 MB of 267.0 MB  38.1 MB/s  ETA 4s`.
    static func line(label: String, done: Int, total: Int, elapsed: Double, barWidth: Int) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var parts = [label]
        if barWidth > 0 {
            let filled = Int(fraction * Double(barWidth))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]")
        }
        parts.append("\(Int(fraction * 100))%")
        parts.append("\(megabytes(done)) of \(megabytes(total))")
        parts.append("\(megabytes(Int(rate)))/s")
        if rate > 0, done < total { parts.append("ETA \(Int((Double(total - done) / rate).rounded(.up)))s") }
        return parts.joined(separator: "  ")
    }

    private static func megabytes(_ bytes: Int) -> String {
        let mb = Double(bytes) / 1e6
        return mb >= 100 ? "\(Int(mb.rounded())) MB" : "\((mb * 10).rounded() / 10) MB"
    }
}
