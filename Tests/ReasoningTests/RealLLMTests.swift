import Foundation
import RationCore
import Testing
@testable import Reasoning

extension LiveServerTests {
    /// Against a real llama.cpp server (xllamacpp wheel + SmolLM2-135M, `scripts/llm-server`).
    /// The model's verdicts are meaningless: these tests assert the plumbing, never the answer.
    @Suite(.serialized) final class RealLLMTests {
        let server: ChildServer?
        let baseURL: String?
        let skipReason: String?

        init() {
            let script = Paths.repository + "/scripts/llm-server"
            var reason: String?
            var child: ChildServer?
            var url: String?
            // `serve` sets up the venv and model itself when missing (`make llm` does it ahead).
            do {
                let started = try ChildServer(executable: script, arguments: ["serve", "0"], prefix: "ready ",
                                              timeout: .seconds(240))
                child = started
                url = String(started.firstLine.dropFirst("ready ".count)) + "/v1"
            } catch {
                reason = "llama.cpp server unavailable (run `make llm`): \(error)"
            }
            server = child
            baseURL = url
            skipReason = reason
        }

        deinit { server?.stop() }

        func engine(constraint: ReplyConstraint) throws -> ReasoningEngine {
            guard let baseURL else {
                print("SKIP real-LLM test: \(skipReason ?? "")")
                try Test.cancel(Comment(rawValue: skipReason ?? "no server"))
            }
            var configuration = Sample.configuration([.init(baseURL: baseURL, model: "smollm2-135m")], timeout: .seconds(120))
            configuration.maxTokens = 32
            // A short system prompt keeps a CPU-only run to seconds; the contract is the same.
            configuration.prompts.system = "Reply as <think>one short reason</think><answer>normal or abnormal</answer>."
            configuration.prompts.version = "test-short"
            configuration.constraint = constraint
            configuration.verificationRetries = 0
            return try ReasoningEngine(configuration: configuration, cache: VerdictCache())
        }

        func assertPlumbing(_ verdict: Verdict) {
            print("real LLM verdict: \(verdict.label?.rawValue ?? "-") \(verdict.status) tokens \(verdict.promptTokens ?? -1)+\(verdict.completionTokens ?? -1) latency \(verdict.latency.map { "\($0)" } ?? "-") rationale \(verdict.rationale.prefix(120).debugDescription)")
            switch verdict.status {
            case .verified:
                #expect(verdict.label != nil)
                #expect(verdict.verifierScore != nil)
            case let .unverified(reason):
                #expect(!reason.isEmpty, "an unverified verdict says why")
            case let .skipped(reason):
                Issue.record("the server was up; nothing should be skipped: \(reason)")
            case .operatorOverride:
                Issue.record("no override was set")
            }
            #expect((verdict.promptTokens ?? 0) > 20, "prompt token usage recorded")
            #expect((verdict.completionTokens ?? 0) > 0, "completion token usage recorded")
            #expect((verdict.latency ?? .zero) > .milliseconds(1))
            #expect(verdict.model?.isEmpty == false)
            #expect(!verdict.cached)
        }

        /// One server start, two requests: the grammar-constrained contract, then plain text.
        @Test func windowGoesOutVerdictComesBackWithUsageAndLatency() async throws {
            let grammar = try engine(constraint: .llamaGrammar)
            let window = Sample.window([("instruction cache parity error corrected", "instruction cache parity error corrected")])
            let verdict = await grammar.judge(window, suspicion: Sample.suspicion)
            assertPlumbing(verdict)
            // The grammar only admits the contract, so the format check cannot fail.
            #expect(verdict.label != nil)
            if case let .unverified(reason) = verdict.status { #expect(!reason.contains("format")) }
            let again = await grammar.judge(window, suspicion: Sample.suspicion)
            #expect(again.cached, "the second time comes from the cache")
            #expect(await grammar.statistics.calls == 1)

            let plain = try engine(constraint: .none)
            let free = await plain.judge(Sample.window(template: "ciod: Error creating node map from file <*>"),
                                         suspicion: Sample.suspicion)
            assertPlumbing(free)
        }
    }
}
