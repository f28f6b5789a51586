import RationCore
#if canImport(Glibc)
import Glibc
#endif

/// Entries rationd wrote itself, which its journal source skips: an alert entry read back
/// would be judged as a new anomaly, raising an alert about the alert, and so on. An entry is
/// its own when it carries one of rationd's MESSAGE_IDs (from any host, as in a
/// journal-remote directory), or comes from this process or this daemon's unit in this boot.
package struct OwnJournalEntries: Sendable, Hashable {
    package var pid: Int32
    /// `_BOOT_ID` form: 32 lower-case hex digits.
    package var bootID: String?
    /// The systemd unit this process runs in, when it runs in one.
    package var unit: String?

    package init(pid: Int32, bootID: String?, unit: String?) {
        self.pid = pid
        self.bootID = bootID
        self.unit = unit
    }

    /// This process: its PID, the kernel's boot id, and its unit when it is a service's.
    package static func current() -> OwnJournalEntries {
        let bootID = (try? DurableFile.read("/proc/sys/kernel/random/boot_id"))?
            .map { String(decoding: $0, as: UTF8.self).filter(\.isHexDigit).lowercased() }
        return OwnJournalEntries(pid: getpid(), bootID: bootID, unit: Self.serviceUnit())
    }

    /// The `.service` unit of this process from /proc/self/cgroup (cgroup v2 `0::/…/NAME.service`);
    /// nil outside a service (a shell's scope or session).
    static func serviceUnit() -> String? {
        guard let bytes = (try? DurableFile.read("/proc/self/cgroup")) ?? nil else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("0::") {
            return line.split(separator: "/").last.map(String.init).flatMap { $0.hasSuffix(".service") ? $0 : nil }
        }
        return nil
    }

    static let messageIDs: [[UInt8]] = RationdMessageID.all.map { Array($0.utf8) }

    package func isOwn(messageID: Bool, pid: Int32?, unit: String?, bootID: String?) -> Bool {
        if messageID { return true }
        guard let bootID, bootID == self.bootID else { return false }
        if pid == self.pid { return true }
        if let unit, unit == self.unit { return true }
        return false
    }
}
