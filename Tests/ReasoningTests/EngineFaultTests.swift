import Foundation
import RationCore
import Testing
@testable import Reasoning

/// Tests against live servers run one at a time: they measure latency and rates.
@Suite(.serialized) struct LiveServerTests {}

extension LiveServerTests {
    /// Faults from a scripted OpenAI-compatible server on a loopback port.
    @Suite(.serialized) final class EngineFaultTests {
        let server: ScriptedServer
        init() throws { server = try ScriptedServer() }
        deinit { server.stop() }

        func engine(_ modes: [String], timeout: Duration = .seconds(5), maxConcurrent: Int = 2, callsPerMinute: Int = 1000,
                    breaker: CircuitBreaker.Configuration = .init(failureThreshold: 3, baseBackoff: .seconds(60)),
                    cache: VerdictCache = VerdictCache()) throws -> ReasoningEngine {
            try ReasoningEngine(configuration: Sample.configuration(modes.map(server.endpoint), timeout: timeout,
                                                                    maxConcurrent: maxConcurrent, callsPerMinute: callsPerMinute,
                                                                    breaker: breaker),
                                cache: cache)
        }

        static func reason(_ verdict: Verdict) -> String {
            switch verdict.status {
            case let .skipped(reason), let .unverified(reason): reason
            case .verified, .operatorOverride: ""
            }
        }

        @Test func wellFormedReplyIsVerifiedWithUsageAndCached() async throws {
            let directory = Paths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let engine = try engine(["abnormal"], cache: VerdictCache(path: directory + "/cache.json"))
            let window = Sample.window(template: "ciod: Error creating node map from file <*>")
            let verdict = await engine.judge(window, suspicion: Sample.suspicion)
            #expect(verdict.status == .verified)
            #expect(verdict.label == .abnormal)
            #expect(verdict.promptTokens == 42 && verdict.completionTokens == 17)
            #expect((verdict.latency ?? .zero) > .zero)
            #expect(verdict.model == "scripted")
            #expect(abs((verdict.verifierScore ?? 0) - ReplyVerifier.maximumScore) < 1e-9)
            #expect(verdict.rationale.contains("reports a failure"))
            #expect(!verdict.cached)

            let again = await engine.judge(window, suspicion: Sample.suspicion)
            #expect(again.cached && again.label == .abnormal && again.status == .verified)
            #expect(try server.count("abnormal") == 1)

            // A restarted engine reads the persisted cache: still no call.
            let restarted = try self.engine(["abnormal"], cache: try VerdictCache.open(path: directory + "/cache.json"))
            #expect(await restarted.judge(window, suspicion: Sample.suspicion).cached)
            #expect(try server.count("abnormal") == 1)
            let stats = await engine.statistics
            #expect(stats.calls == 1 && stats.cacheHits == 1 && stats.promptTokens == 42)
        }

        @Test func hangEndsInTimeoutAndSkipped() async throws {
            let engine = try engine(["hang"], timeout: .seconds(1))
            let started = ContinuousClock.now
            let verdict = await engine.judge(Sample.window(template: "hang probe <*>"), suspicion: Sample.suspicion)
            let elapsed = ContinuousClock.now - started
            #expect(verdict.label == nil)
            #expect(Self.reason(verdict).contains("no reply within 1.0 s"), "\(verdict.status)")
            #expect(elapsed < .seconds(5))
            #expect(await engine.statistics.endpointFailures == 1)
        }

        @Test func serverErrorsOpenTheCircuit() async throws {
            let engine = try engine(["500"], breaker: .init(failureThreshold: 2, baseBackoff: .seconds(60)))
            for index in 0..<2 {
                let verdict = await engine.judge(Sample.window(template: "five hundred \(index)"), suspicion: Sample.suspicion)
                #expect(Self.reason(verdict).contains("HTTP 500"), "\(verdict.status)")
            }
            let blocked = await engine.judge(Sample.window(template: "five hundred 2"), suspicion: Sample.suspicion)
            #expect(Self.reason(blocked).contains("endpoint unavailable"), "\(blocked.status)")
            #expect(Self.reason(blocked).contains("blocked for"))
            #expect(try server.count("500") == 2, "an open circuit sends nothing")
        }

        @Test func rateLimitHonoursRetryAfter() async throws {
            let engine = try engine(["429"])
            let first = await engine.judge(Sample.window(template: "limited 1"), suspicion: Sample.suspicion)
            #expect(Self.reason(first).contains("429") && Self.reason(first).contains("retry after 1.0 s"), "\(first.status)")
            let second = await engine.judge(Sample.window(template: "limited 2"), suspicion: Sample.suspicion)
            #expect(Self.reason(second).contains("endpoint unavailable"), "\(second.status)")
            #expect(try server.count("429") == 1)
            try await Task.sleep(for: .milliseconds(1100))
            _ = await engine.judge(Sample.window(template: "limited 3"), suspicion: Sample.suspicion)
            #expect(try server.count("429") == 2, "sent again once Retry-After passed")
        }

        @Test(arguments: [
            ("garbage", "malformed reply"),
            ("truncated", "malformed reply"),
            ("cutoff", "truncated (finish_reason length)"),
            ("contradiction", "reasoning concludes abnormal but the answer is normal"),
            ("badevidence", "evidence \"kernel panic: fatal machine check on node R23-M1\" is not in the window"),
        ])
        func badRepliesAreRetriedOnceThenUnverified(mode: String, expected: String) async throws {
            let engine = try engine([mode])
            let before = try server.count(mode)
            let verdict = await engine.judge(Sample.window(template: "reply check <*> for \(mode)"), suspicion: Sample.suspicion)
            guard case let .unverified(reason) = verdict.status else {
                Issue.record("expected unverified, got \(verdict.status)")
                return
            }
            #expect(reason.contains(expected), "\(reason)")
            #expect(reason.contains("attempt 2"), "the retry is recorded: \(reason)")
            #expect(try server.count(mode) - before == 2, "one retry, no more")
            #expect(!verdict.isTrustedAbnormal)
            if !reason.contains("malformed") {
                #expect(verdict.promptTokens == 84 && verdict.completionTokens == 34, "usage of both attempts")
                #expect((verdict.latency ?? .zero) > .zero)
            }
        }

        @Test func retryRecoversAFlakyReply() async throws {
            let engine = try engine(["flaky"])
            let verdict = await engine.judge(Sample.window(template: "flaky <*>"), suspicion: Sample.suspicion)
            #expect(verdict.status == .verified && verdict.label == .abnormal)
            #expect(verdict.promptTokens == 84, "usage of both attempts")
            #expect(await engine.statistics.rejectedReplies == 1)
        }

        @Test func failsOverToTheNextEndpoint() async throws {
            let engine = try engine(["500", "normal"])
            let verdict = await engine.judge(Sample.window(template: "failover <*>"), suspicion: Sample.suspicion)
            #expect(verdict.status == .verified && verdict.label == .normal)
            let health = await engine.endpointHealth()
            #expect(health.map(\.consecutiveFailures) == [1, 0])
        }

        @Test func callBudgetSkipsInsteadOfWaiting() async throws {
            let engine = try engine(["normal"], callsPerMinute: 2)
            var statuses: [Verdict.Status] = []
            for index in 0..<3 {
                statuses.append(await engine.judge(Sample.window(template: "budget \(index)"), suspicion: Sample.suspicion).status)
            }
            #expect(statuses[0] == .verified && statuses[1] == .verified)
            #expect(statuses[2] == .skipped(reason: "T1: call budget exhausted: 2 calls per minute"))
            // Cache hits are free even with the budget spent.
            #expect(await engine.judge(Sample.window(template: "budget 0"), suspicion: Sample.suspicion).status == .verified)
        }

        @Test func windowIsAbnormalWhenAnyTemplateIsAndOverridesWin() async throws {
            let engine = try engine(["abnormal"])
            await engine.setOverride(templateText: "routine <*>", label: .normal, note: "known routine")
            let window = Sample.window([("routine <*>", "routine 1"), ("disk <*> failed", "disk sda failed")])
            let judgement = await engine.judgeDetailed(window, suspicion: Sample.suspicion)
            #expect(judgement.templateVerdicts[TemplateID(1)]?.status == .operatorOverride)
            #expect(judgement.templateVerdicts[TemplateID(2)]?.label == .abnormal)
            #expect(judgement.verdict.label == .abnormal && judgement.verdict.status == .verified)
            #expect(try server.count("abnormal") >= 1)
        }

        @Test func countSuspicionAsksTheWindowPromptWhenEveryTemplateIsNormal() async throws {
            let engine = try engine(["normal"])
            let window = Sample.window([("job <*> started", "job 1 started"), ("job <*> started", "job 2 started"),
                                        ("job <*> ended", "job 1 ended")])
            let counts = Suspicion(score: 4, reasons: [SuspicionReason(kind: .countDeviation, score: 4, templateID: TemplateID(1),
                                                                       detail: "count 2 vs baseline 1.0")], escalated: true)
            let judgement = await engine.judgeDetailed(window, suspicion: counts)
            #expect(judgement.templateVerdicts.count == 2)
            let windowVerdict = try #require(judgement.windowVerdict)
            #expect(windowVerdict.status == .verified && windowVerdict.label == .normal)
            #expect(judgement.verdict.rationale.contains("window normal"))
            #expect(await engine.statistics.windowPrompts == 1)
            #expect(try server.count("normal") == 3, "two templates and one window prompt")

            // The same template set with the same kind of evidence comes from the cache.
            let again = await engine.judgeDetailed(window, suspicion: counts)
            #expect(again.windowVerdict?.cached == true)
            #expect(try server.count("normal") == 3)

            // A template-only suspicion does not ask about the window.
            _ = await engine.judgeDetailed(window, suspicion: Sample.suspicion)
            #expect(await engine.statistics.windowPrompts == 1)
        }

        @Test func queueServesMostSuspiciousFirstAndRejectsWhenFull() async throws {
            let configuration = Sample.configuration([server.endpoint("slow")], maxConcurrent: 1, queueCapacity: 2)
            let engine = try ReasoningEngine(configuration: configuration, cache: VerdictCache())
            func suspicion(_ score: Double) -> Suspicion { Suspicion(score: score, reasons: [], escalated: true) }
            #expect(engine.submit(Sample.window(template: "first <*>"), suspicion: suspicion(1), ticket: 1))
            // The worker picks it up asynchronously; wait until the queue is empty again.
            while await engine.statistics.queueDepth > 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(engine.submit(Sample.window(template: "low <*>"), suspicion: suspicion(2), ticket: 2))
            #expect(engine.submit(Sample.window(template: "high <*>"), suspicion: suspicion(8), ticket: 3))
            #expect(!(engine.submit(Sample.window(template: "lowest <*>"), suspicion: suspicion(1), ticket: 4)))
            #expect(engine.submit(Sample.window(template: "mid <*>"), suspicion: suspicion(5), ticket: 5)) // evicts "low"
            var tickets: [UInt64] = []
            var evicted: Verdict?
            for await result in engine.results {
                if result.ticket == 2 { evicted = result.verdict } else { tickets.append(result.ticket) }
                if tickets.count == 3, evicted != nil { break }
            }
            #expect(tickets == [1, 3, 5])
            #expect(evicted.map(Self.reason)?.contains("queue full") == true)
            let stats = await engine.statistics
            #expect(stats.queueRejected == 1 && stats.queueEvicted == 1)
        }

        @Test func skippedWindowsAreRejudgedWhenConfigured() async throws {
            var configuration = Sample.configuration([server.endpoint("normal")], maxConcurrent: 1, callsPerMinute: 1)
            configuration.rejudgeSkipped = true
            configuration.rejudgeInterval = .milliseconds(200)
            let engine = try ReasoningEngine(configuration: configuration, cache: VerdictCache())
            #expect(engine.submit(Sample.window(template: "rejudge a"), suspicion: Sample.suspicion, ticket: 1))
            #expect(engine.submit(Sample.window(template: "rejudge b"), suspicion: Sample.suspicion, ticket: 2))
            var results: [(UInt64, Verdict.Status, Bool)] = []
            for await result in engine.results {
                results.append((result.ticket, result.verdict.status, result.rejudged))
                if results.count == 2 {
                    // Budget spent: an operator labels the template; the re-judge finds it.
                    await engine.setOverride(templateText: "rejudge b", label: .abnormal, note: "seen before")
                }
                if results.count == 3 { break }
            }
            #expect(results.map(\.0) == [1, 2, 2])
            #expect(results[1].1 == .skipped(reason: "T1: call budget exhausted: 1 calls per minute"))
            #expect(!results[1].2)
            #expect(results[2].1 == .operatorOverride && results[2].2, "re-judged later, flagged as such")
            #expect(try server.count("normal") == 1)
            await engine.shutdown()
        }
    }
}
