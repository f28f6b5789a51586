import Control
import Foundation
import RationCore
import Testing

/// List methods cap `limit`, keep replies under the message size, and page with `after`/`next`.
@Suite(.serialized) struct PagingTests {
    static let base = FakeControlHandler.base

    /// 2500 templates with many equal counts, so ties must be broken by id for paging to hold.
    static func manyTemplates(_ n: Int = 2500, textBytes: Int = 20) -> [TemplateRecord] {
        (1...n).map { i in
            TemplateRecord(id: UInt64(i), text: "template \(i) " + String(repeating: "x", count: textBytes), count: i % 7,
                           firstSeen: base + Int64(i % 11), lastSeen: base + Int64(i))
        }
    }

    /// Alerts seen at only a few distinct times.
    static func manyAlerts(_ n: Int) -> [Alert] {
        (1...n).map { i in
            FakeControlHandler.alert(id: UInt64(i), time: base + Int64(i % 5) * 1_000_000, unit: "u\(i % 3).service", score: 9,
                                     label: nil, message: "message \(i)")
        }
    }

    /// Calls a list method page by page; returns every id seen (repeats kept) and the page count.
    static func pageThrough(_ client: VarlinkClient, method: String, key: String, limit: Int,
                            extra: [String: JSONValue] = [:]) throws -> (ids: [UInt64], pages: Int) {
        var ids: [UInt64] = []
        var after: String?
        var pages = 0
        repeat {
            var p = extra
            p["limit"] = .integer(Int64(limit))
            if let after { p["after"] = .string(after) }
            let reply = try client.call(method, parameters: .object(p))
            pages += 1
            guard case .array(let items)? = reply.object?[key] else { throw Failure("no \(key) in \(reply)") }
            try expect(items.count <= limit, "page of \(items.count) over the limit \(limit)")
            for item in items {
                switch item.object?["id"] {
                case .integer(let v)?: ids.append(UInt64(v))
                case .unsigned(let v)?: ids.append(v)
                default: throw Failure("item without id")
                }
            }
            if case .string(let next)? = reply.object?["next"] { after = next } else { after = nil }
            try expect(pages < 100, "paging does not end")
        } while after != nil
        return (ids, pages)
    }

    @Test func aLimitOverTheCapIsRefusedNamingTheCap() async throws {
        let s = try await TestServer.start()
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            for method in ["io.rationd.ListTemplates", "io.rationd.ListAlerts"] {
                do {
                    _ = try c.call(method, parameters: .object(["limit": .integer(Int64(ListLimit.maximum + 1))]))
                    throw Failure("\(method): limit over the cap accepted")
                } catch VarlinkClientError.remote(let e) {
                    try expect(e.name == "io.rationd.InvalidRequest", "\(method): \(e)")
                    try expect(e.description.contains("maximum of \(ListLimit.maximum)"), "names the cap: \(e)")
                }
                // The cap itself is accepted.
                _ = try c.call(method, parameters: .object(["limit": .integer(Int64(ListLimit.maximum))]))
            }
            try expectError(try c.call("io.rationd.ListTemplates", parameters: .object(["after": .string("garbage")])),
                            "org.varlink.service.InvalidParameter", ["parameter": .string("after")])
        }
    }

    @Test func templatePagesListEveryTemplateExactlyOnce() async throws {
        let templates = Self.manyTemplates()
        let s = try await TestServer.start(handler: FakeControlHandler(alerts: [], templates: templates))
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let (ids, pages) = try Self.pageThrough(c, method: "io.rationd.ListTemplates", key: "templates", limit: 1000)
            try expect(pages == 3, "\(pages) pages")
            try expect(ids.count == templates.count && Set(ids).count == templates.count, "\(ids.count) ids, \(Set(ids).count) distinct")
            // newSince orders by first seen instead; paging holds there too.
            let recent = try Self.pageThrough(c, method: "io.rationd.ListTemplates", key: "templates", limit: 300,
                                              extra: ["newSince": .integer(Self.base + 5)])
            let expected = templates.filter { $0.firstSeen >= Self.base + 5 }.count
            try expect(recent.ids.count == expected && Set(recent.ids).count == expected, "\(recent.ids.count) of \(expected)")
        }
    }

    @Test func alertPagesListEveryAlertExactlyOnce() async throws {
        let alerts = Self.manyAlerts(1200)
        let s = try await TestServer.start(handler: FakeControlHandler(alerts: alerts, templates: []))
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            let (ids, pages) = try Self.pageThrough(c, method: "io.rationd.ListAlerts", key: "alerts", limit: 500)
            try expect(pages == 3, "\(pages) pages")
            try expect(ids.count == alerts.count && Set(ids).count == alerts.count, "\(ids.count) ids, \(Set(ids).count) distinct")
            // With a filter, pages hold only matches, each once.
            let filtered = try Self.pageThrough(c, method: "io.rationd.ListAlerts", key: "alerts", limit: 250,
                                                extra: ["unit": .string("u1.service")])
            try expect(filtered.ids.count == 400 && Set(filtered.ids).count == 400, "\(filtered.ids.count) filtered")
        }
    }

    @Test func aReplyStaysUnderTheMessageSizeAndSaysMoreRemain() async throws {
        let templates = Self.manyTemplates(300, textBytes: 2000)
        let s = try await TestServer.start(handler: FakeControlHandler(alerts: [], templates: templates)) {
            $0.maxMessageBytes = 64 << 10
        }
        defer { s.stopNow() }
        try await onThread {
            let c = try s.client()
            try c.send(VarlinkCall(method: "io.rationd.ListTemplates", parameters: .object(["limit": .integer(1000)])))
            let raw = try c.receiveRaw()
            try expect(raw.count < 64 << 10, "reply of \(raw.count) bytes")
            let reply = try VarlinkJSON.decode(VarlinkReply.self, from: Data(raw))
            try expect(reply.parameters?.object?["next"] != nil, "next set")
            let (ids, pages) = try Self.pageThrough(c, method: "io.rationd.ListTemplates", key: "templates", limit: 1000)
            try expect(pages > 5 && Set(ids).count == 300 && ids.count == 300, "\(pages) pages, \(ids.count) ids")
        }
    }

    @Test func rationctlPrintsEverythingAskedForAcrossPages() async throws {
        let s = try await TestServer.start(handler: FakeControlHandler(alerts: Self.manyAlerts(1500), templates: Self.manyTemplates()))
        defer { s.stopNow() }
        let templates = try await RationctlTests.run(["templates", "--limit", "2400", "--json"], socket: s.socketPath)
        #expect(templates.status == 0, "\(templates.stderr)")
        let t = try JSONDecoder().decode([TemplateRecord].self, from: Data(templates.stdout.utf8))
        #expect(t.count == 2400 && Set(t.map(\.id)).count == 2400)
        #expect(t.map(\.count) == t.map(\.count).sorted(by: >), "most frequent first across pages")
        let alerts = try await RationctlTests.run(["alerts", "--limit", "1400", "--json"], socket: s.socketPath)
        #expect(alerts.status == 0, "\(alerts.stderr)")
        let a = try JSONDecoder().decode([AlertRecord].self, from: Data(alerts.stdout.utf8))
        #expect(a.count == 1400 && Set(a.map(\.id)).count == 1400)
        let all = try await RationctlTests.run(["alerts", "--limit", "5000", "--json"], socket: s.socketPath)
        #expect(try JSONDecoder().decode([AlertRecord].self, from: Data(all.stdout.utf8)).count == 1500, "stops when none remain")
    }
}
