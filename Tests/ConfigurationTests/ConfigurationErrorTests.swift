import Configuration
import Testing

/// Bad files are rejected with the file, line and key of the problem.
@Suite struct ConfigurationErrorTests {
    func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try RationdConfiguration(text: text, file: "/etc/rationd/rationd.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownKeyNamesFileLineAndKey() throws {
        let e = try #require(error("""
        [miner]
        depth = 5
        similarity_treshold = 0.5
        """))
        #expect(e.file == "/etc/rationd/rationd.toml")
        #expect(e.line == 3)
        #expect(e.key == "miner.similarity_treshold")
        #expect(e.message.contains("unknown key"))
        #expect(e.description.hasPrefix("/etc/rationd/rationd.toml:3: miner.similarity_treshold: unknown key"))
    }

    @Test func unknownSectionIsAnError() throws {
        let e = try #require(error("\n\n[minr]\ndepth = 4\n"))
        #expect(e.key == "minr")
        #expect(e.line == 3)
    }

    @Test func unknownKeyInSecondFileEntry() throws {
        let e = try #require(error("""
        [[sources.files]]
        path = "/var/log/a.log"

        [[sources.files]]
        path = "/var/log/b.log"
        start = "end"
        """))
        #expect(e.key == "sources.files[1].start")
        #expect(e.line == 6)
    }

    @Test func wrongTypeIsNamed() throws {
        let e = try #require(error("[triage]\nthreshold = \"high\"\n"))
        #expect(e.key == "triage.threshold")
        #expect(e.line == 2)
        #expect(e.message == "expected a number, got a string")
    }

    @Test func outOfRangeValue() throws {
        let e = try #require(error("[triage]\nthreshold = -1.5\n"))
        #expect(e.key == "triage.threshold")
        #expect(e.message.contains("out of range"))
    }

    @Test func badDurationAndSize() throws {
        let d = try #require(error("[sessionizer]\nidle_gap = \"30 parsecs\"\n"))
        #expect(d.key == "sessionizer.idle_gap")
        #expect(d.message.contains("not a duration"))
        let s = try #require(error("[control]\nmax_message_bytes = \"lots\"\n"))
        #expect(s.key == "control.max_message_bytes")
        #expect(s.line == 2)
    }

    @Test func badPriorityAndChoice() throws {
        let p = try #require(error("[sources.journal]\nmax_priority = \"loud\"\n"))
        #expect(p.key == "sources.journal.max_priority")
        let c = try #require(error("[sources.journal]\nstart_at = \"middle\"\n"))
        #expect(c.message.contains("\"end\""))
    }

    @Test func missingRequiredPathPointsAtTheEntry() throws {
        let e = try #require(error("""
        [[sources.files]]
        path = "/var/log/a.log"
        [[sources.files]]
        name = "b"
        """))
        #expect(e.key == "sources.files[1].path")
        #expect(e.line == 3)
        #expect(e.message == "is required")
    }

    @Test func duplicateFileSourceNames() throws {
        let e = try #require(error("""
        [[sources.files]]
        path = "/var/log/a/app.log"
        [[sources.files]]
        path = "/var/log/b/app.log"
        """))
        #expect(e.key == "sources.files[1].name")
        #expect(e.message.contains("already uses the name \"app.log\""))
    }

    @Test func invalidRegularExpression() throws {
        let e = try #require(error("[[sources.files]]\npath = \"/x.log\"\nsession_key_pattern = \"(unclosed\"\n"))
        #expect(e.key == "sources.files[0].session_key_pattern")
        #expect(e.line == 3)
    }

    @Test func syntaxErrorKeepsTheParserLine() throws {
        let e = try #require(error("[daemon]\nlog_level = \"info\"\nqueue_capacity = = 3\n"))
        #expect(e.line == 3)
        #expect(e.key == nil)
        #expect(e.message.hasPrefix("TOML syntax"))
    }

    @Test func multilineArraysDoNotConfuseLineNumbers() throws {
        let e = try #require(error("""
        [miner]
        value_keys = [
          "user",
          "host",
        ]
        dept = 4
        """))
        #expect(e.key == "miner.dept")
        #expect(e.line == 6)
    }

    @Test func invalidExtraMaskIsNamedByIndex() throws {
        let e = try #require(error("""
        [[miner.extra_masks]]
        name = "ticket"
        pattern = "TCK-[0-9]+"
        [[miner.extra_masks]]
        name = "broken"
        pattern = "([a-z"
        """))
        #expect(e.key == "miner.extra_masks[1].pattern")
        #expect(e.description.contains("not a valid regular expression"))
    }

    @Test func learningNeedsTwoValuesAtLeast() throws {
        #expect(error("[miner]\ndistinct_values_for_parameter = 1\n")?.key == "miner.distinct_values_for_parameter")
    }

    @Test func inconsistentSettings() throws {
        #expect(error("[sessionizer]\ncount_window = 10\ncount_step = 20\n")?.key == "sessionizer.count_step")
        #expect(error("[store]\nmax_bytes = \"8MiB\"\nsegment_bytes = \"8MiB\"\n")?.key == "store.segment_bytes")
        #expect(error("[reasoning]\nendpoints = []\n")?.key == "reasoning.endpoints")
        #expect(error("[reasoning]\nendpoints = [\"ftp://x\"]\n")?.key == "reasoning.endpoints[0]")
        #expect(error("[sources.journal]\ndirectory = \"/j\"\nnamespace = \"n\"\n")?.key == "sources.journal.namespace")
    }

    @Test func protectedShareLeavesRoomForOrdinaryAlerts() throws {
        #expect(error("[store]\nprotected_share = 0.95\n")?.key == "store.protected_share")
        #expect(error("[store]\nprotected_share = -0.1\n")?.key == "store.protected_share")
    }

    @Test func unreadableFile() throws {
        do {
            _ = try RationdConfiguration(contentsOf: "/nonexistent/rationd.toml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/rationd.toml")
            #expect(error.message.hasPrefix("cannot read"))
        }
    }
}
