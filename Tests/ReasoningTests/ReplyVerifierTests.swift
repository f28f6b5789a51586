import Foundation
import RationCore
import Testing
@testable import Reasoning

@Suite struct ReplyVerifierTests {
    let verifier = ReplyVerifier()
    let evidence = ["ciod: Error creating node map from file <*>", "ciod: Error creating node map from file /p/gb1/map.txt"]

    @Test func acceptsTheContractAndScoresItFully() {
        let outcome = verifier.verify(
            content: " <think>The line \"Error creating node map from file /p/gb1/map.txt\" shows a failed job start, so it is abnormal.</think>\n<answer>abnormal</answer>\n",
            constraint: .none, evidence: evidence)
        #expect(outcome.isVerified, "\(outcome.failures)")
        #expect(outcome.label == .abnormal)
        #expect(abs(outcome.score - ReplyVerifier.maximumScore) < 1e-9)
        #expect(outcome.think.hasPrefix("The line"))
    }

    @Test(arguments: [
        ("abnormal", "format"),
        ("<answer>normal</answer><think>x</think>", "out of order"),
        ("<think>a</think><think>b</think><answer>normal</answer>", "<think>×2"),
        ("Sure! <think>a</think><answer>normal</answer>", "outside"),
        ("<think>fine</think><answer>maybe</answer>", "not normal or abnormal"),
        ("<think>The entry shows a fatal error, so this is clearly abnormal.</think><answer>normal</answer>",
         "concludes abnormal but the answer is normal"),
        ("<think>Nothing failed; this is normal.</think><answer>abnormal</answer>", "concludes normal"),
        ("<think>It quotes \"kernel panic on R23\" so it is abnormal.</think><answer>abnormal</answer>", "not in the window"),
    ])
    func rejectsBrokenReplies(content: String, expected: String) {
        let outcome = verifier.verify(content: content, constraint: .none, evidence: evidence)
        #expect(!outcome.isVerified)
        #expect(outcome.failureSummary.contains(expected), "\(outcome.failureSummary)")
        #expect(outcome.score < ReplyVerifier.maximumScore)
    }

    @Test func negationFlipsTheStance() {
        #expect(ReplyVerifier.stance(of: "This is not abnormal; routine correction.") == .normal)
        #expect(ReplyVerifier.stance(of: "Looks normal at first, but the job died, so it is abnormal.") == .abnormal)
        #expect(ReplyVerifier.stance(of: "Parity errors were corrected by hardware.") == nil)
        #expect(ReplyVerifier.stance(of: "The line \"node state is abnormal\" is a routine probe, so it is normal.") == .normal,
                "quoted log text is not the stance")
    }

    @Test func citedLinesMustExist() {
        let outcome = verifier.verify(content: "<think>Line 7 repeats, so it is abnormal.</think><answer>abnormal</answer>",
                                      constraint: .none, evidence: evidence, lineCount: 3)
        #expect(outcome.failureSummary.contains("cites line 7 but the window has 3"))
        let fine = verifier.verify(content: "<think>Line 2 repeats, so it is abnormal.</think><answer>abnormal</answer>",
                                   constraint: .none, evidence: evidence, lineCount: 3)
        #expect(fine.isVerified)
    }

    @Test func readsJSONReplies() {
        let good = verifier.verify(content: #"{"think": "routine, so it is normal", "answer": "normal"}"#,
                                   constraint: .jsonSchema, evidence: evidence)
        #expect(good.isVerified && good.label == .normal)
        let bad = verifier.verify(content: #"{"reason": "x"}"#, constraint: .jsonSchema, evidence: evidence)
        #expect(bad.failureSummary.contains("format"))
    }

    @Test func truncatedReplyIsNamed() {
        let outcome = verifier.verify(content: "<think>The entry looks like", constraint: .none, evidence: evidence,
                                      finishReason: "length")
        #expect(outcome.failureSummary.contains("truncated"))
        #expect(outcome.label == nil)
    }
}

@Suite struct TemplatePatternTests {
    @Test func wildcardsMatchAnyRun() {
        let pattern = TemplatePattern("<*> exited abnormally due to signal: <*>")
        #expect(pattern.matches("ciodb exited abnormally due to signal: Aborted"))
        #expect(pattern.matches(" exited abnormally due to signal: "))
        #expect(!pattern.matches("ciodb exited normally"))
        #expect(TemplatePattern("a <*> c <*> e").matches("a b c d e"))
        #expect(!TemplatePattern("a <*> c <*> e").matches("a b d e"))
        #expect(TemplatePattern("exact").matches("exact") && !TemplatePattern("exact").matches("exact!"))
        #expect(!TemplatePattern("ab<*>ba").matches("aba"))
    }
}

@Suite struct SuspicionQueueTests {
    @Test func mostSuspiciousFirstAndBounded() {
        var queue = SuspicionQueue<String>(capacity: 3)
        #expect({ if case .inserted = queue.insert("low", score: 1) { true } else { false } }())
        _ = queue.insert("high", score: 9)
        _ = queue.insert("mid", score: 5)
        if case let .insertedEvicting(evicted) = queue.insert("higher", score: 10) {
            #expect(evicted == "low")
        } else {
            Issue.record("expected eviction")
        }
        if case .rejected = queue.insert("lowest", score: 0.5) {} else { Issue.record("expected rejection") }
        #expect([queue.popMax(), queue.popMax(), queue.popMax(), queue.popMax()] == ["higher", "high", "mid", nil])
    }

    @Test func fifoAmongEquals() {
        var queue = SuspicionQueue<Int>(capacity: 10)
        for i in 0..<5 { _ = queue.insert(i, score: 1) }
        #expect((0..<5).map { _ in queue.popMax()! } == [0, 1, 2, 3, 4])
    }
}

@Suite struct CircuitBreakerTests {
    @Test func opensAfterThresholdAndBacksOffExponentially() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 2, baseBackoff: .seconds(1), maxBackoff: .seconds(3)))
        let t0 = ContinuousClock.now
        let ok1 = breaker.allowRequest(now: t0)
        #expect(ok1)
        breaker.recordFailure(now: t0)
        let ok2 = breaker.allowRequest(now: t0)
        #expect(ok2)
        breaker.recordFailure(now: t0)
        let ok3 = breaker.allowRequest(now: t0 + .milliseconds(900))
        #expect(!ok3)
        let ok4 = breaker.allowRequest(now: t0 + .seconds(1))
        #expect(ok4)  // half-open probe
        let ok5 = breaker.allowRequest(now: t0 + .seconds(1))
        #expect(!ok5)  // only one probe
        breaker.recordFailure(now: t0 + .seconds(1))           // probe failed: 2 s
        let ok6 = breaker.allowRequest(now: t0 + .milliseconds(2900))
        #expect(!ok6)
        let ok7 = breaker.allowRequest(now: t0 + .seconds(3))
        #expect(ok7)
        breaker.recordFailure(now: t0 + .seconds(3))           // 4 s, capped at 3 s
        #expect(breaker.blockedUntil(now: t0 + .seconds(3)) == t0 + .seconds(6))
        let ok8 = breaker.allowRequest(now: t0 + .seconds(6))
        #expect(ok8)
        breaker.recordSuccess()
        let closedAgain = breaker.allowRequest(now: t0 + .seconds(6))
        #expect(breaker.state == .closed && closedAgain)
    }

    @Test func rateLimitPausesWithoutTripping() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 1))
        let t0 = ContinuousClock.now
        breaker.pause(until: t0 + .seconds(2))
        let ok9 = breaker.allowRequest(now: t0 + .seconds(1))
        #expect(!ok9)
        let ok10 = breaker.allowRequest(now: t0 + .seconds(2))
        #expect(ok10)
        #expect(breaker.state == .closed)
    }

    @Test func callRateLimiterCountsARollingMinute() {
        var limiter = CallRateLimiter(limit: 2, period: .seconds(60))
        let t0 = ContinuousClock.now
        let first = limiter.tryAcquire(now: t0), second = limiter.tryAcquire(now: t0 + .seconds(1))
        #expect(first && second)
        let ok11 = limiter.tryAcquire(now: t0 + .seconds(59))
        #expect(!ok11)
        let ok12 = limiter.tryAcquire(now: t0 + .seconds(60))
        #expect(ok12)
    }
}

@Suite struct SocketHTTPParsingTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func contentLengthAndChunkedBodies() throws {
        let plain = SocketHTTPTransport.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nRetry-After: 3\r\n\r\nhello"), final: false)
        guard case let .success(response)? = plain else { Issue.record("\(String(describing: plain))"); return }
        #expect(response.status == 200 && response.body == bytes("hello") && response.headers["retry-after"] == "3")

        let partial = SocketHTTPTransport.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel"), final: false)
        #expect(partial.map { _ in true } == nil, "waits for the rest")
        let chunked = SocketHTTPTransport.parse(
            bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n"), final: false)
        guard case let .success(joined)? = chunked else { Issue.record("\(String(describing: chunked))"); return }
        #expect(joined.body == bytes("hello world"))
    }

    @Test func truncatedRepliesAreNamed() {
        let short = SocketHTTPTransport.parse(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel"), final: true)
        guard case let .failure(.failed(detail))? = short else { Issue.record("\(String(describing: short))"); return }
        #expect(detail == "connection closed after 3 of 10 body bytes")
        let garbage = SocketHTTPTransport.parse(bytes("SSH-2.0-OpenSSH\r\n\r\n"), final: true)
        guard case let .failure(.failed(bad))? = garbage else { Issue.record("\(String(describing: garbage))"); return }
        #expect(bad.hasPrefix("bad status line"))
    }
}

@Suite struct PromptBuilderTests {
    @Test func templatePromptIsThePapersInstructionPlusTheFencedTemplate() {
        let messages = PromptBuilder(prompts: .rationAnomaly).templateMessages(templateText: "ciod: Error creating node map from file <*>")
        #expect(messages.map(\.role) == [.system, .user])
        #expect(messages[1].content == "Classify the given log entries into normal and abnormal categories.\n"
                + "<log-data>\nciod: Error creating node map from file <*>\n</log-data>")
        #expect(messages[0].content.contains("<think> reasoning process here </think><answer> answer here </answer>"))
    }

    @Test func windowPromptCompressesByTemplateWithCountsExamplesAndReasons() {
        let window = Sample.window([("job <*> started", "job 1 started"), ("job <*> started", "job 2 started"),
                                    ("job <*> started", "job 3 started"), ("disk <*> slow", "disk sda slow")])
        let suspicion = Suspicion(score: 6, reasons: [SuspicionReason(kind: .countDeviation, score: 6, templateID: TemplateID(1),
                                                                     detail: "count 3 vs baseline 1.0")], escalated: true)
        let body = PromptBuilder(prompts: .rationAnomaly).windowMessages(window: window, suspicion: suspicion)[1].content
        #expect(body.contains("countDeviation(count 3 vs baseline 1.0)"))
        #expect(body.contains("<log-data>\n1. [3x] job <*> started\n   e.g. job 1 started\n   e.g. job 2 started\n"))
        #expect(body.contains("2. [1x] disk <*> slow\n   e.g. disk sda slow\n"))
        #expect(!body.contains("job 3 started"), "two examples per template")
    }
}

@Suite struct WireRequestTests {
    func encoded(_ constraint: ReplyConstraint) throws -> [String: Any] {
        let request = ChatRequest(messages: [ChatMessage(role: .user, content: "x")], temperature: 0.2, maxTokens: 64,
                                  constraint: constraint, subject: .window(lines: []))
        let data = try JSONEncoder().encode(OpenAIChatClient.WireRequest(request, model: "m"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func constraintsBecomeResponseFormatOrGrammar() throws {
        let plain = try encoded(.none)
        #expect(plain["model"] as? String == "m" && plain["max_tokens"] as? Int == 64 && plain["stream"] as? Bool == false)
        #expect(plain["response_format"] == nil && plain["grammar"] == nil)

        let schema = try encoded(.jsonSchema)
        let format = try #require(schema["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let inner = try #require((format["json_schema"] as? [String: Any])?["schema"] as? [String: Any])
        let answer = try #require((inner["properties"] as? [String: Any])?["answer"] as? [String: Any])
        #expect(answer["enum"] as? [String] == ["normal", "abnormal"])
        #expect(inner["required"] as? [String] == ["think", "answer"])

        let grammar = try #require(try encoded(.llamaGrammar)["grammar"] as? String)
        #expect(grammar.hasPrefix("root ::= \"<think>\"") && grammar.contains("(\"normal\" | \"abnormal\")"))
    }

    @Test func retryAfterSeconds() {
        #expect(OpenAIChatClient.retryAfter(" 7 ") == 7)
        #expect(OpenAIChatClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(OpenAIChatClient.retryAfter(nil) == nil)
    }
}
