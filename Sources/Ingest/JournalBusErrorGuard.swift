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

    /// The file mapped next to `page` (the page itself is anonymous now), from /proc/self/maps.
    static func mappedFile(near page: UInt) -> String? {
        let bytes = readProcMaps()
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let columns = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard columns.count >= 6, let dash = columns[0].firstIndex(of: UInt8(ascii: "-")) else { continue }
            guard let start = UInt(String(decoding: columns[0][..<dash], as: UTF8.self), radix: 16),
                  let end = UInt(String(decoding: columns[0][(dash + 1)...], as: UTF8.self), radix: 16) else { continue }
            guard end == page || start == page + pageSize || (start <= page && page < end) else { continue }
            let path = String(decoding: Array(columns[5...].joined(separator: [UInt8(ascii: " ")])), as: UTF8.self)
            if path.hasPrefix("/") { return path }
        }
        return nil
    }

    private static func readProcMaps() -> [UInt8] {
        let fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }
}
