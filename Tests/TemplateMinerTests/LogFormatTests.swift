import Testing
@testable import TemplateMiner

@Suite struct LogFormatTests {
    @Test func extractsContent() throws {
        let format = try LogFormat("<Date> <Time> <Pid> <Level> <Component>: <Content>")
        #expect(format.content(of: "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38 terminating")
                == "PacketResponder 1 for block blk_38 terminating")
        #expect(format.content(of: "not a log line") == nil)
    }

    @Test func regexPartsAndOptionalGroups() throws {
        let linux = try LogFormat("<Month> <Date> <Time> <Level> <Component>(\\[<PID>\\])?: <Content>")
        #expect(linux.content(of: "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown") == "check pass; user unknown")
        #expect(linux.content(of: "Jun 15 04:06:18 combo su: session opened") == "session opened")
        let health = try LogFormat("<Time>\\|<Component>\\|<Pid>\\|<Content>")
        #expect(health.content(of: "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579") == "onStandStepChanged 3579")
    }

    @Test func formatsWithoutContentAreRejected() {
        #expect(throws: MinerError.self) { try LogFormat("<Date> <Time>") }
        #expect(throws: MinerError.self) { try LogFormat("<Date> <Date> <Content>") }
    }
}
