import RationCore
import Testing
@testable import Pipeline

@Suite struct AwaitingRejudgeTests {
    @Test func keepsTheNewestWithinCapacityAndForgetsTakenTickets() {
        var awaiting = AwaitingRejudge(capacity: 3)
        for ticket in UInt64(1)...5 { awaiting.remember(ticket: ticket, alert: AlertID(ticket * 10)) }
        #expect(awaiting.count == 3)
        #expect(awaiting.take(ticket: 1) == nil && awaiting.take(ticket: 2) == nil, "the oldest are forgotten")
        #expect(awaiting.take(ticket: 4) == AlertID(40))
        #expect(awaiting.take(ticket: 4) == nil, "a ticket is revised once")
        for ticket in UInt64(6)...1000 {
            awaiting.remember(ticket: ticket, alert: AlertID(ticket))
            _ = awaiting.take(ticket: ticket - 1)
        }
        #expect(awaiting.count <= 3)
        #expect(awaiting.take(ticket: 1000) == AlertID(1000))
    }
}
