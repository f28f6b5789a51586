#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import AlertStore
import ArgumentParser
import RationCore

extension AlertsCommand {
    /// Hidden helper for the store's crash test: appends synthetic alerts forever (sync on
    /// every append) and prints a line for each acknowledged one, until it is killed.
    struct CrashWriter: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "crash-writer",
                                                        abstract: "Test helper: append synthetic alerts until killed.",
                                                        shouldDisplay: false)

        @Option var directory: String
        @Option(help: "Number of the first synthetic alert.") var start: Int = 0
        @Option var segmentBytes: Int = 16 << 10
        @Option var totalBytes: Int = 96 << 10
        @Option(help: "Label every n-th alert (0: never).") var labelEvery: Int = 7

        func run() throws {
            let configuration = AlertStoreConfiguration(directory: directory, segmentMaxBytes: segmentBytes,
                                                        totalMaxBytes: totalBytes, syncPolicy: .always,
                                                        blockMaxBytes: 4096)
            let store = try AlertStore(configuration: configuration)
            emit("OPEN \(store.recoveryReport)")
            let synthetic = SyntheticAlerts(units: 5, eventsPerWindow: 6, repeatEvery: 4)
            var n = start
            while true {
                let id = try store.append(synthetic.alert(n))
                let count = try store.alert(id: id)?.count ?? 0
                emit("ACK \(id) \(n) \(count)")
                if labelEvery > 0, n % labelEvery == 0 {
                    try store.label(id: id, OperatorLabel(label: .abnormal, note: "checked \(n)", time: synthetic.alert(n).lastSeen))
                    emit("LABEL \(id) \(n)")
                }
                n += 1
            }
        }

        /// Unbuffered, so a line is out before the next append starts.
        private func emit(_ line: String) {
            let bytes = Array((line + "\n").utf8)
            bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let w = write(1, raw.baseAddress! + off, raw.count - off)
                    if w <= 0 { if errno == EINTR { continue }; Glibc.exit(1) }
                    off += w
                }
            }
        }
    }
}
