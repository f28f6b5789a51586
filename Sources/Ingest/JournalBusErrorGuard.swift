import CSigbusGuard
#if canImport(Glibc)
import Glibc
#endif

/// The process-wide SIGBUS guard (see `CSigbusGuard`): libsystemd 252 maps journal files and
/// faults when journald truncates one under it. With the guard installed the faulting page
/// reads as zeros, sd-journal sees a corrupt object, and the source reopens the journal.
public enum JournalBusErrorGuard {
    /// Installs the handler once per process.
    public static func install() throws(IngestError) {
        let r = rationd_sigbus_guard_install()
        if r < 0 { throw .journal(operation: "install SIGBUS guard", code: r, detail: "sigaction") }
    }

    /// Bus errors absorbed since the process started.
    public static var faultCount: UInt64 { rationd_sigbus_fault_count() }

    /// The page address of fault `index`, when still remembered.
    static func faultAddress(_ index: UInt64) -> UInt? {
        let address = rationd_sigbus_fault_address(index)
        return address == 0 ? nil : UInt(address)
    }

    /// The file that was mapped where fault `index` happened, as the handler found it in
    /// /proc/self/maps before replacing the page.
    static func faultPath(_ index: UInt64) -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        guard rationd_sigbus_fault_path(index, &buffer, buffer.count) == 1 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
