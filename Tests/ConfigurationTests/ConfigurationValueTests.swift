import Configuration
import RationCore
import Testing

@Suite struct ConfigurationValueTests {
    @Test func parsesValidFile() throws {
        let c = try RationdConfiguration(text: """
        [daemon]
        state_directory = "/srv/rationd"
        [sources]
        files = []
        [sources.journal]
        units = ["nginx.service", "sshd.service"]
        max_priority = 3
        [reasoning]
        endpoints = ["https://llm.example/v1", "http://127.0.0.1:8080/v1"]
        request_timeout = "1m30s"
        demo = true
        [store]
        max_bytes = 1073741824
        retention = "7d"
        protected_share = 0.25
        [control]
        group = "adm"
        """)
        #expect(c.sources.files.isEmpty)
        #expect(c.sources.journal.units == ["nginx.service", "sshd.service"])
        #expect(c.sources.journal.maxPriority == .err)
        #expect(c.reasoning.endpoints.count == 2)
        #expect(c.reasoning.requestTimeout == .seconds(90))
        #expect(c.reasoning.demo)
        #expect(c.store.maxBytes == 1 << 30)
        #expect(c.store.retention == .seconds(7 * 86400))
        #expect(c.store.protectedShare == 0.25)
        #expect(c.control.group == "adm")
        #expect(c.storeDirectory == "/srv/rationd/alerts")
    }

    @Test func fileSourceNamesDefaultFromPath() throws {
        let c = try RationdConfiguration(text: """
        [[sources.files]]
        path = "/var/log/nginx/access.log"
        [[sources.files]]
        path = "/var/log/app/*.log"
        """)
        #expect(c.sources.files.map(\.name) == ["access.log", "var-log-app"])
    }

    @Test func durations() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("2d") == .seconds(172_800))
        #expect(DurationText.parse("2w") == .seconds(1_209_600))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("") == nil)
        #expect(DurationText.parse("10") == nil)
        #expect(DurationText.parse("5 weeks") == nil)
        #expect(DurationText.format(.seconds(300)) == "5m")
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
    }

    @Test func byteSizes() {
        #expect(ByteSizeText.parse("64KiB") == 65536)
        #expect(ByteSizeText.parse("256MiB") == 256 << 20)
        #expect(ByteSizeText.parse("1GB") == 1_000_000_000)
        #expect(ByteSizeText.parse("4096") == 4096)
        #expect(ByteSizeText.parse("1TiB") == nil)
        #expect(ByteSizeText.parse("99999999999999999999GiB") == nil)
        #expect(ByteSizeText.format(8 << 20) == "8MiB")
    }

    @Test func changesNameEverySettingThatDiffers() throws {
        let old = RationdConfiguration()
        let new = try RationdConfiguration(text: """
        [reasoning]
        max_calls_per_minute = 5
        [[sources.files]]
        path = "/var/log/syslog"
        """)
        let changes = new.changes(from: old).map(\.description)
        #expect(changes.contains("reasoning.maxCallsPerMinute: 30 -> 5"))
        #expect(changes.contains("sources.files[0].path: /var/log/*.log -> /var/log/syslog"))
        #expect(changes.contains("sources.files[0].name: var-log -> syslog"))
        #expect(changes.count == 3)
    }

    @Test func reloadAppliesLiveSettingsAndNamesTheRestForARestart() throws {
        let started = RationdConfiguration()
        let file = try RationdConfiguration(text: """
        [daemon]
        state_directory = "/srv/rationd"
        log_level = "debug"
        [triage]
        threshold = 0.3
        [store]
        max_bytes = "128MiB"
        [control]
        socket = "/run/other.sock"
        [[sources.files]]
        path = "/var/log/syslog"
        """)
        let changes = file.changes(from: started)
        let restart = Set(changes.filter(\.needsRestart).map(\.key))
        #expect(restart == ["daemon.stateDirectory", "store.maxBytes", "control.socket"])
        #expect(changes.filter { !$0.needsRestart }.map(\.key).sorted()
            == ["daemon.logLevel", "sources.files[0].name", "sources.files[0].path", "triage.threshold"])
        // What the running daemon runs: the live settings of the file, the rest as started.
        let running = started.withLiveSettings(of: file)
        #expect(running.daemon.stateDirectory == started.daemon.stateDirectory)
        #expect(running.store == started.store && running.control == started.control)
        #expect(running.triage.threshold == 0.3 && running.daemon.logLevel == .debug)
        #expect(running.sources == file.sources)
        #expect(running.changes(from: started).allSatisfy { !$0.needsRestart })
    }
}
