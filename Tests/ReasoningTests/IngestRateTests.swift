import Foundation
import RationCore
import Testing
@testable import Reasoning

extension LiveServerTests {
    /// Ingestion must not slow down when the endpoint hangs: `submit` never waits on the LLM.
    @Suite(.serialized) struct IngestRateTests {
        /// A stand-in for the ingest path: tokenise lines, key a template by its non-numeric
        /// tokens, close 20-line windows, escalate every 4th window.
        struct Ingest {
            var escalate: (Window, Suspicion) async -> Void

            func run(lines: Int, round: Int) async -> Double {
                let started = ContinuousClock.now
                var events: [WindowEvent] = []
                var templates: [TemplateID: String] = [:]
                var windowCount = 0
                for index in 0..<lines {
                    let message = "round \(round) node-\(index % 97) request \(index) took \(index % 13) ms status \(index % 5 == 0 ? "retry" : "ok")"
                    var hasher = Hasher()
                    var template: [Substring] = []
                    for token in message.split(separator: " ") {
                        let masked: Substring = token.contains(where: \.isNumber) ? "<*>" : token
                        hasher.combine(masked)
                        template.append(masked)
                    }
                    let id = TemplateID(UInt64(bitPattern: Int64(hasher.finalize())))
                    templates[id] = template.joined(separator: " ")
                    events.append(WindowEvent(time: EventTime(microsecondsSinceEpoch: Int64(index)), templateID: id, message: message))
                    if events.count == 20 {
                        windowCount += 1
                        if windowCount % 4 == 0 {
                            let window = Window(key: SessionKey("w\(round)-\(windowCount)"), source: SourceID("bench"),
                                                start: events[0].time, end: events[19].time, events: events,
                                                templates: templates.filter { id, _ in events.contains { $0.templateID == id } })
                            await escalate(window, Suspicion(score: Double(windowCount % 10), reasons: [], escalated: true))
                        }
                        events.removeAll(keepingCapacity: true)
                    }
                }
                return Double(lines) / (ContinuousClock.now - started).seconds
            }
        }

        @Test func ingestRateDuringAnEndpointHangStaysWithinTenPercent() async throws {
            let server = try ScriptedServer()
            defer { server.stop() }
            let configuration = Sample.configuration([server.endpoint("hang")], timeout: .seconds(30), maxConcurrent: 2,
                                                     queueCapacity: 64)
            let engine = try ReasoningEngine(configuration: configuration, cache: VerdictCache())
            let withoutLLM = Ingest { _, _ in }
            let withLLM = Ingest { window, suspicion in _ = engine.submit(window, suspicion: suspicion) }
            // Short rounds in pairs (order alternating), compared pair by pair: the machine is
            // shared, and the two rounds of a pair see about the same load. The median pair
            // ratio is the figure.
            let lines = 5_000
            _ = await withoutLLM.run(lines: lines, round: -1)  // warm up
            var baseline: [Double] = [], hanging: [Double] = []
            for round in 0..<20 {
                if round % 2 == 0 {
                    baseline.append(await withoutLLM.run(lines: lines, round: round))
                    hanging.append(await withLLM.run(lines: lines, round: round))
                } else {
                    hanging.append(await withLLM.run(lines: lines, round: round))
                    baseline.append(await withoutLLM.run(lines: lines, round: round))
                }
            }
            let ratios = zip(hanging, baseline).map { $0 / $1 }.sorted()
            let ratio = (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2
            let median = { (values: [Double]) in values.sorted()[values.count / 2] }
            let stats = await engine.statistics
            print("ingest rate without LLM \(Int(median(baseline))) lines/s, during endpoint hang \(Int(median(hanging))) lines/s (medians of 20 rounds), median pair ratio \(String(format: "%.3f", ratio)); in flight \(stats.inFlight), queued \(stats.queueDepth), rejected \(stats.queueRejected + stats.queueEvicted)")
            #expect(stats.inFlight >= 1, "requests are stuck on the hanging endpoint")
            #expect(stats.queueRejected + stats.queueEvicted > 0, "the bounded queue overflowed instead of blocking")
            #expect(ratio >= 0.9)
        }
    }
}
