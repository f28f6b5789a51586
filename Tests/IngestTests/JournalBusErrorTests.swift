import Foundation
import Testing
import RationCore
@testable import Ingest
#if canImport(Glibc)
import Glibc
#endif

/// A file truncated under its mapping raises SIGBUS on access; with the guard the process
/// survives and the journal source treats the file as corrupt. Serialized: the fault counter
/// is process-wide.
@Suite(.serialized) struct JournalBusErrorTests {
    @Test func theGuardTurnsABusErrorIntoZeroPages() throws {
        try JournalBusErrorGuard.install()
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let path = "\(fixtures.root)/mapped"
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        try Data(repeating: 0xAB, count: 4 * pageSize).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        let mapped = try #require(mmap(nil, 4 * pageSize, PROT_READ, MAP_SHARED, fd, 0))
        #expect(mapped != MAP_FAILED)
        defer { munmap(mapped, 4 * pageSize) }
        let bytes = mapped.assumingMemoryBound(to: UInt8.self)
        #expect(bytes[0] == 0xAB)
        #expect(ftruncate(fd, off_t(pageSize)) == 0)
        let before = JournalBusErrorGuard.faultCount
        let pastTheEnd = bytes[2 * pageSize + 10]   // SIGBUS without the guard
        #expect(pastTheEnd == 0)
        #expect(JournalBusErrorGuard.faultCount == before + 1)
        let page = UInt(bitPattern: mapped + 2 * pageSize)
        #expect(JournalBusErrorGuard.faultAddress(before) == page)
        #expect(JournalBusErrorGuard.faultPath(before) == path)
        #expect(bytes[0] == 0xAB)
    }

    @Test func aJournalFileTruncatedWhileMappedIsTreatedAsCorrupt() throws {
        let fixtures = try JournalFixtures()
        defer { fixtures.remove() }
        let victim = try fixtures.unpack("sequence", into: "j", as: "victim.journal")
        let other = try fixtures.unpack("units", into: "j")
        let notices = NoticeLog()
        let source = try JournalSource(configuration: .init(open: .files([victim, other]), readFrom: .head,
                                                            reopenInterval: .milliseconds(50)), notify: notices.handler)
        // The units file's entries (2023-11-14 22:13) all come before the sequence file's (22:30).
        let early = try source.nextBatch(maxRecords: 33, timeout: .seconds(1))
        #expect(early.count == 33)
        #expect(early.suffix(2).map(\.displayMessage) == ["seq 1", "seq 2"])
        let faultsBefore = JournalBusErrorGuard.faultCount
        #expect(truncate(victim, 16384) == 0)
        var rest: [LogRecord] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            rest += try source.nextBatch(maxRecords: 40, timeout: .milliseconds(100))
            if source.statistics.corruptFiles > 0, rest.isEmpty || source.isOpen { break }
        }
        #expect(JournalBusErrorGuard.faultCount > faultsBefore)
        #expect(source.statistics.busErrors >= 1)
        #expect(source.statistics.corruptFiles == 1)
        #expect(notices.text.contains { $0.contains("\(victim) shrank while mapped") })
        #expect(notices.text.contains { $0.contains("skipping unreadable journal file \(victim)") })
        // Nothing from the zeroed pages was delivered, nothing before the fault repeated, and the
        // source reads on without the victim.
        #expect(rest.isEmpty)
        #expect(source.isOpen)
    }
}
