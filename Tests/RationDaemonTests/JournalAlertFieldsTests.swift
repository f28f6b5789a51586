import Logging
import RationCore
import RationDaemon
import Testing

/// What an alert's journal entry says beyond its message: the event, host, units and templates.
@Suite struct JournalAlertFieldsTests {
    static func alert(templates: [String], host: String? = "node-7") -> Alert {
        let t = EventTime(microsecondsSinceEpoch: 1_764_000_000_000_000)
        let events = templates.indices.map { i in
            WindowEvent(time: t, templateID: TemplateID(UInt64(i + 1)), message: "m\(i)", unit: i % 2 == 0 ? "disk.service" : "web.service")
        }
        var byID: [TemplateID: String] = [:]
        for (i, text) in templates.enumerated() { byID[TemplateID(UInt64(i + 1))] = text }
        let window = Window(key: "k", source: "journal", start: t, end: t, events: events, templates: byID)
        return Alert(id: AlertID(9), firstSeen: t, lastSeen: t, host: host, window: window,
                     suspicion: Suspicion(score: 0.8, reasons: [], escalated: true), verdict: Verdict(label: .abnormal, status: .verified))
    }

    @Test func entriesSayWhatHappenedWhereAndWhich() {
        let fields = JournalAlertWriter.fields(of: Self.alert(templates: ["disk <*> failed", "retry <*>", "disk <*> failed again"]),
                                               event: .repeated, demo: false)
        #expect(fields.contains("RATIOND_EVENT=repeated"))
        #expect(fields.contains("RATIOND_HOST=node-7"))
        #expect(fields.contains("RATIOND_UNITS=disk.service,web.service"))
        #expect(fields.contains("RATIOND_TEMPLATES=disk <*> failed\nretry <*>\ndisk <*> failed again"))
    }

    @Test func absentFieldsAreLeftOutAndTemplatesAreBounded() {
        let many = (0..<100).map { "template number \($0) " + String(repeating: "x", count: 100) }
        let fields = JournalAlertWriter.fields(of: Self.alert(templates: many, host: nil), demo: false)
        #expect(fields.contains("RATIOND_EVENT=raised"))
        #expect(!fields.contains { $0.hasPrefix("RATIOND_HOST=") })
        let templates = try! #require(fields.first { $0.hasPrefix("RATIOND_TEMPLATES=") })
        let lines = templates.dropFirst("RATIOND_TEMPLATES=".count).split(separator: "\n")
        #expect(lines.count <= JournalAlertWriter.templateFieldLimit.count && lines.count > 10)
        #expect(templates.utf8.count <= JournalAlertWriter.templateFieldLimit.bytes + "RATIOND_TEMPLATES=".count)
        #expect(lines.first == Substring(many[0]))
    }
}

/// The daemon's own log lines under systemd: a `<N>` prefix journald reads as PRIORITY.
@Suite struct SyslogPrefixLogHandlerTests {
    @Test func levelsMapToSyslogPriorities() {
        let expected: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2)]
        for (level, priority) in expected { #expect(SyslogPrefixLogHandler.priority(level) == priority) }
    }

    @Test func oneLinePerEntryWithMetadata() {
        let line = SyslogPrefixLogHandler.line(level: .warning, label: "rationd", message: "cache damaged\nsecond line",
                                               metadata: ["path": "/var/lib/x", "errno": "5"])
        #expect(line == "<4>rationd: cache damaged second line errno=5 path=/var/lib/x\n")
    }

    @Test func onlyTheServicesOwnJournalStreamCounts() {
        #expect(!JournalStream.isStandardError(environment: [:]))
        #expect(!JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "1:2"]))
        #expect(!JournalStream.isStandardError(environment: ["JOURNAL_STREAM": "garbage"]))
    }
}
