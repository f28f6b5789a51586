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

    /// A reload that turns reasoning on (or changes rejudge_capacity) changes the bound.
    @Test func capacityFollowsAReload() {
        var awaiting = AwaitingRejudge(capacity: 1)
        awaiting.capacity = 4
        for ticket in UInt64(1)...6 { awaiting.remember(ticket: ticket, alert: AlertID(ticket)) }
        #expect(awaiting.count == 4)
        #expect(awaiting.take(ticket: 3) == AlertID(3) && awaiting.take(ticket: 2) == nil)
        awaiting.capacity = 0
        #expect(awaiting.capacity == 1)
        awaiting.remember(ticket: 7, alert: AlertID(7))
        #expect(awaiting.count == 1 && awaiting.take(ticket: 7) == AlertID(7))
    }
}
