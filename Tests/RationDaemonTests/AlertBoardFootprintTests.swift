import RationCore
import RationDaemon
import Testing

/// Fills the alert board with typical alerts and prints the bytes it accounts for per alert
/// beside the growth of the process's anonymous memory per alert (`scripts/memory-budget`
/// runs it alone for docs/operations.md, "Memory budget").
@Suite struct AlertBoardFootprintTests {
    /// An escalated window of 50 events over 10 templates, as the sessionizer keeps them
    /// (messages of about 120 bytes), with a verdict of about 400 bytes.
    static func typical(_ id: UInt64) -> Alert {
        let t = EventTime(microsecondsSinceEpoch: 1_764_000_000_000_000 + Int64(id) * 1_000_000)
        let events = (0..<50).map { i in
            WindowEvent(time: t, templateID: TemplateID(UInt64(i % 10)),
                        message: "kernel: EXT4-fs error (device sda\(i % 4)): ext4_find_entry:1463: inode #\(id * 100 + UInt64(i)): comm nginx: reading directory lblock 0",
                        priority: .err, unit: "nginx.service")
        }
        let window = Window(key: SessionKey("nginx.service"), source: "journal", start: t, end: t, events: events)
        return Alert(id: AlertID(id), firstSeen: t, lastSeen: t, window: window,
                     suspicion: Suspicion(score: 0.9, reasons: [], escalated: true),
                     verdict: Verdict(label: .abnormal, status: .verified,
                                      rationale: String(repeating: "Repeated filesystem errors on one device. ", count: 10),
                                      model: "qwen2.5-7b-instruct"))
    }

    @Test func accountedBytesPerAlert() {
        let n = 1_000
        let before = ResidentMemory.anonymousBytes()
        let board = AlertBoard(capacity: n, maxBytes: .max)
        for i in 0..<n { board.publish(Self.typical(UInt64(i))) }
        let after = ResidentMemory.anonymousBytes()
        #expect(board.count == n)
        let accounted = board.bytes / n
        print("footprint: alert board: \(n) alerts, accounted \(accounted) B each, resident \((before.flatMap { b in after.map { ($0 - b) / n } }).map(String.init) ?? "-") B each")
        #expect(accounted > 50 * 120)
    }
}
