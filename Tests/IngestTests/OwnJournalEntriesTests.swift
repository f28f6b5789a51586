import Glibc
import Ingest
import Testing

/// Which journal entries the journal source treats as rationd's own and skips.
@Suite struct OwnJournalEntriesTests {
    let own = OwnJournalEntries(pid: 4242, bootID: "0123456789abcdef0123456789abcdef", unit: "rationd.service")

    @Test func rationdsMessageIDsAreOwnFromAnyHostOrBoot() {
        #expect(own.isOwn(messageID: true, pid: 1, unit: "other.service", bootID: "ffff"))
    }

    @Test func thisProcessAndThisUnitInThisBoot() {
        #expect(own.isOwn(messageID: false, pid: 4242, unit: nil, bootID: own.bootID))
        #expect(own.isOwn(messageID: false, pid: 7, unit: "rationd.service", bootID: own.bootID))
        // The same PID or unit name in another boot (or on another host) is someone else.
        #expect(!own.isOwn(messageID: false, pid: 4242, unit: "rationd.service", bootID: "fedcba9876543210fedcba9876543210"))
        #expect(!own.isOwn(messageID: false, pid: 7, unit: "app.service", bootID: own.bootID))
        #expect(!own.isOwn(messageID: false, pid: nil, unit: nil, bootID: nil))
    }

    @Test func thisProcessIsKnown() {
        let current = OwnJournalEntries.current()
        #expect(current.pid == getpid())
        #expect(current.bootID?.count == 32)
    }
}
