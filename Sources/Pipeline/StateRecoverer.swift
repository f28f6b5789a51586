import Logging
import RationCore

/// Sets damaged state files aside so the daemon starts anyway: each one is renamed to
/// `NAME.damaged-<time>`, logged at warning and recorded in the `RecoveryLog` that
/// `rationctl status` shows until an operator acknowledges it.
struct StateRecoverer: Sendable {
    let log: RecoveryLog
    let logger: Logger

    /// Moves `path` aside; `fallback` says what the daemon does instead.
    func setAside(_ path: String, what: String, problem: String, fallback: String) {
        let aside = Recovery.moveAside(path)
        let reason = "\(problem); \(aside.map { "moved aside to \($0)" } ?? "could not be moved aside"), \(fallback)"
        report(Recovery(what: what, path: path, movedTo: aside, reason: reason))
    }

    /// A recovery another component already made (the verdict cache).
    func report(_ recovery: Recovery) {
        logger.warning("\(recovery.what) damaged: \(recovery.reason)", metadata: ["path": "\(recovery.path)"])
        log.record(recovery)
    }
}
