import Foundation
import RationCore
import Testing
@testable import Reasoning

/// A backend that records every request and answers per template: abnormal when the template
/// (the fenced line of the last user turn) contains "fail", else normal. Stands in for a model
/// where the assertion is what was sent and how often; the same flows run against a real HTTP
/// server in `OperatorLabelServerTests`.
final class RecordingBackend: ChatBackend, @unchecked Sendable {
    // @unchecked: `recorded` is only touched under `lock`; `reply` is immutable.
    private let lock = NSLock()
    private var recorded: [ChatRequest] = []
    /// Replaces the answer when set.
    private let reply: (@Sendable (ChatRequest) -> String)?

    init(reply: (@Sendable (ChatRequest) -> String)? = nil) { self.reply = reply }

    var requests: [ChatRequest] { lock.withLock { recorded } }
    private func record(_ request: ChatRequest) { lock.withLock { recorded.append(request) } }
    var count: Int { requests.count }

    func complete(_ request: ChatRequest) async throws(ReasoningError) -> ChatReply {
        record(request)
        let template = PromptText.subject(request.messages.last { $0.role == .user }?.content ?? "")
        let abnormal = template.contains("fail")
        let content = reply?(request) ?? (abnormal
            ? "<think>The entry \"\(template)\" reports a failure, so it is abnormal.</think><answer>abnormal</answer>"
            : "<think>The entry \"\(template)\" reports routine activity, so it is normal.</think><answer>normal</answer>")
        return ChatReply(content: content, model: "recording", promptTokens: 10, completionTokens: 10, finishReason: "stop")
    }
}

@Suite struct OperatorLabelTests {
    static func engine(_ backend: RecordingBackend, cache: VerdictCache = VerdictCache(), fewShot: Int = 3,
                       file: [LabelledExample] = []) -> ReasoningEngine {
        var configuration = Sample.configuration([.init(baseURL: "http://127.0.0.1:1/v1", model: "recording")])
        configuration.fewShot = .init(maxExamples: fewShot, maxTokens: 400)
        return ReasoningEngine(configuration: configuration, backend: backend, model: "recording", cache: cache,
                               fewShotExamples: file)
    }

    @Test func aTemplateLabelOverridesTheCachedVerdictInTheNextWindowWithoutACall() async {
        let backend = RecordingBackend()
        let engine = Self.engine(backend)
        let template = "raid <*> switched to standby"
        let first = await engine.judge(Sample.window(template: template), suspicion: Sample.suspicion)
        #expect(first.label == .normal && first.status == .verified && backend.count == 1)
        #expect(await engine.judge(Sample.window(template: template, key: "w2"), suspicion: Sample.suspicion).cached)

        await engine.setOverride(templateText: template, label: .abnormal, note: "a switch means a disk died")
        let next = await engine.judgeDetailed(Sample.window(template: template, key: "w3"), suspicion: Sample.suspicion)
        #expect(next.verdict.label == .abnormal && next.verdict.status == .operatorOverride)
        #expect(next.templateVerdicts[TemplateID(1)]?.rationale == "a switch means a disk died")
        #expect(backend.count == 1, "the labelled template cost a call")
        #expect(await engine.statistics.overrideHits == 1)
    }

    /// A reload replaces the engine: the new one was opened from the file before the last
    /// label reached the old one, and the old one keeps judging (and caching) while it drains.
    @Test func aReplacingEngineKeepsTheLabelsOfTheOneItReplaces() async throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.json"
        let old = Self.engine(RecordingBackend(), cache: VerdictCache(path: path))
        let successorBackend = RecordingBackend()
        let successor = Self.engine(successorBackend, cache: try VerdictCache.open(path: path))
        await old.setOverride(templateText: "fan <*> stopped", label: .abnormal, note: "no fan, no node")
        _ = await old.judge(Sample.window(template: "link <*> up"), suspicion: Sample.suspicion)

        await successor.adopt(await old.retire())
        await successor.setOverride(templateText: "power supply lost", label: .abnormal)
        // The retired engine drains: its new verdicts must not overwrite the successor's file.
        _ = await old.judge(Sample.window(template: "job <*> done"), suspicion: Sample.suspicion)
        await old.flushCache()
        await old.shutdown()

        let verdict = await successor.judge(Sample.window(template: "fan <*> stopped"), suspicion: Sample.suspicion)
        #expect(verdict.status == .operatorOverride && verdict.label == .abnormal)
        #expect(await successor.judge(Sample.window(template: "link <*> up"), suspicion: Sample.suspicion).cached)
        #expect(successorBackend.count == 0, "the adopted label and verdict cost no call")
        let reopened = try VerdictCache.open(path: path)
        #expect(reopened.operatorOverrides.map(\.templateText) == ["fan <*> stopped", "power supply lost"])
    }

    @Test func labelsSurviveARestartAndStillCostNoCall() async throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.json"
        let backend = RecordingBackend()
        let engine = Self.engine(backend, cache: VerdictCache(path: path))
        _ = await engine.judge(Sample.window(template: "disk <*> failed"), suspicion: Sample.suspicion)
        await engine.setOverride(templateText: "disk <*> failed", label: .normal, note: "test rig, disks fail on purpose")
        // No flush, no shutdown: the label was written before setOverride returned (a kill -9 now keeps it).

        let restartedBackend = RecordingBackend()
        let restarted = Self.engine(restartedBackend, cache: try VerdictCache.open(path: path))
        let verdict = await restarted.judge(Sample.window(template: "disk <*> failed", key: "later"), suspicion: Sample.suspicion)
        #expect(verdict.status == .operatorOverride && verdict.label == .normal)
        #expect(restartedBackend.count == 0)
        #expect(await restarted.operatorLabels.map(\.templateText) == ["disk <*> failed"])
        // The restored label is a few-shot example for a similar template.
        _ = await restarted.judge(Sample.window(template: "disk <*> failed twice"), suspicion: Sample.suspicion)
        let sent = try #require(restartedBackend.requests.first)
        #expect(sent.messages.map(\.role) == [.system, .user, .assistant, .user])
        #expect(sent.messages[2].content == "<think>test rig, disks fail on purpose</think><answer>normal</answer>")
    }

    @Test func theEngineSendsTheSelectedExamplesBeforeTheQuestion() async throws {
        let backend = RecordingBackend()
        let file = [LabelledExample(templateText: "fan <*> stopped", label: .abnormal, origin: .file),
                    LabelledExample(templateText: "ntpd synchronised to <*>", label: .normal, origin: .file)]
        let engine = Self.engine(backend, file: file)
        await engine.setOverride(templateText: "fan <*> speed low", label: .normal, note: "a quiet profile")
        _ = await engine.judge(Sample.window(template: "fan <*> stopped at <*> rpm"), suspicion: Sample.suspicion)
        let sent = try #require(backend.requests.first).messages
        let instruction = PromptSet.rationAnomaly.templateInstruction
        #expect(sent.map(\.role) == [.system, .user, .assistant, .user, .assistant, .user])
        #expect(sent[1].content == instruction + "\n<log-data>\nfan <*> speed low\n</log-data>")
        #expect(sent[3].content == instruction + "\n<log-data>\nfan <*> stopped\n</log-data>", "the most similar example is last")
        #expect(sent[5].content == instruction + "\n<log-data>\nfan <*> stopped at <*> rpm\n</log-data>")
        #expect(await engine.statistics.fewShotPrompts == 1)

        // Disabled: the paper's plain prompt.
        let plainBackend = RecordingBackend()
        let plain = Self.engine(plainBackend, fewShot: 0, file: file)
        _ = await plain.judge(Sample.window(template: "fan <*> stopped at <*> rpm"), suspicion: Sample.suspicion)
        #expect(plainBackend.requests.first?.messages.map(\.role) == [.system, .user])
    }

    @Test func aReplyQuotingAnExampleIsVerifiedAndOneQuotingNothingShownIsNot() async {
        let backend = RecordingBackend { request in
            let quoted = request.messages.count > 2 ? "fan <*> has stopped" : "fan 7 exploded"
            return "<think>Like \"\(quoted)\", a stopped fan is a fault, so it is abnormal.</think><answer>abnormal</answer>"
        }
        let engine = Self.engine(backend)
        await engine.setOverride(templateText: "fan <*> has stopped", label: .abnormal)
        let withExample = await engine.judge(Sample.window(template: "fan <*> stopped at <*> rpm"), suspicion: Sample.suspicion)
        #expect(withExample.status == .verified, "\(withExample.status)")
        let withoutExample = await engine.judge(Sample.window(template: "pump <*> halted"), suspicion: Sample.suspicion)
        #expect(withoutExample.status != .verified, "a quote of text the prompt never showed passed")
    }

    @Test func aNewSimilarLabelReJudgesOnlyTheTemplatesWhosePromptsItChanges() async {
        let backend = RecordingBackend()
        let engine = Self.engine(backend)
        let similar = Sample.window(template: "link <*> down after <*> retries")
        let unrelated = Sample.window(template: "cron job <*> started")
        _ = await engine.judge(similar, suspicion: Sample.suspicion)
        _ = await engine.judge(unrelated, suspicion: Sample.suspicion)
        #expect(backend.count == 2)

        await engine.setOverride(templateText: "link <*> down", label: .abnormal)
        // The similar template's prompt now carries the label as an example: its verdict from a
        // prompt without it is not served.
        _ = await engine.judge(similar, suspicion: Sample.suspicion)
        #expect(backend.count == 3)
        #expect(backend.requests[2].messages.count == 4)
        // The unrelated template's prompt is unchanged: still cached.
        #expect(await engine.judge(unrelated, suspicion: Sample.suspicion).cached)
        // And the re-judged verdict is cached under the new prompt.
        #expect(await engine.judge(similar, suspicion: Sample.suspicion).cached)
        #expect(backend.count == 3)
    }

    @Test func anAlertLabelLabelsTheTemplatesItImplies() async {
        let backend = RecordingBackend()
        let engine = Self.engine(backend)
        await engine.setOverride(templateText: "b <*> failed", label: .abnormal, note: "set on the template")
        // Normal: every template of the window is normal, except one labelled on its own.
        var applied = await engine.applyAlertLabel(templateTexts: ["a <*>", "b <*> failed", "c", "a <*>"], label: .normal,
                                                   note: "maintenance", alert: 7)
        #expect(applied == ["a <*>", "c"])
        #expect(await engine.operatorLabels.map { "\($0.templateText)=\($0.label.rawValue)@\($0.alert.map(String.init) ?? "-")" }
                == ["a <*>=normal@7", "b <*> failed=abnormal@-", "c=normal@7"])
        let window = Sample.window([("a <*>", "a 1"), ("c", "c")])
        let verdict = await engine.judge(window, suspicion: Sample.suspicion)
        #expect(verdict.label == .normal && verdict.status == .operatorOverride && backend.count == 0)

        // The operator changes the alert to abnormal: with several templates the culprit is
        // unknown, so the labels it implied are withdrawn and none is set.
        applied = await engine.applyAlertLabel(templateTexts: ["a <*>", "b <*> failed", "c"], label: .abnormal, alert: 7)
        #expect(applied.isEmpty)
        #expect(await engine.operatorLabels.map(\.templateText) == ["b <*> failed"])
        // One template: it is the culprit.
        applied = await engine.applyAlertLabel(templateTexts: ["d <*> timeout"], label: .abnormal, alert: 8)
        #expect(applied == ["d <*> timeout"])
        let single = await engine.judge(Sample.window(template: "d <*> timeout"), suspicion: Sample.suspicion)
        #expect(single.label == .abnormal && single.status == .operatorOverride && backend.count == 0)
        // A later label on the template itself replaces the alert's.
        await engine.setOverride(templateText: "d <*> timeout", label: .normal)
        #expect(await engine.operatorLabels.first { $0.templateText == "d <*> timeout" }?.alert == nil)
    }
}

extension LiveServerTests.EngineFaultTests {
    /// Against a real HTTP server that counts requests: after the label, zero requests for the
    /// labelled template, in this engine and in one restarted from the cache file.
    @Test func operatorLabelReplacesACachedModelVerdictWithNoRequest() async throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.json"
        let engine = try engine(["abnormal"], cache: VerdictCache(path: path))
        let template = "sshd: session opened for user <*>"
        let judged = await engine.judge(Sample.window(template: template), suspicion: Sample.suspicion)
        #expect(judged.label == .abnormal && judged.status == .verified)
        #expect(try server.count("abnormal") == 1)

        await engine.setOverride(templateText: template, label: .normal, note: "logins are routine here")
        let next = await engine.judge(Sample.window(template: template, key: "next"), suspicion: Sample.suspicion)
        #expect(next.label == .normal && next.status == .operatorOverride)
        #expect(try server.count("abnormal") == 1, "a request was sent for the labelled template")

        let restarted = try self.engine(["abnormal"], cache: try VerdictCache.open(path: path))
        let after = await restarted.judge(Sample.window(template: template, key: "after"), suspicion: Sample.suspicion)
        #expect(after.label == .normal && after.status == .operatorOverride)
        #expect(try server.count("abnormal") == 1)
    }
}

extension LiveServerTests.RealLLMTests {
    /// A real llama.cpp server takes the few-shot conversation (its chat template renders the
    /// assistant turns): the same template is asked again once a similar label exists, not
    /// served from the cache, and the prompt the server counted grew by the example.
    @Test func fewShotExamplesReachTheRealServerAndReJudgeTheTemplate() async throws {
        let engine = try engine(constraint: .llamaGrammar)
        let template = "fan <*> stopped at <*> rpm"
        let plain = await engine.judge(Sample.window(template: template), suspicion: Sample.suspicion)
        assertPlumbing(plain)
        await engine.setOverride(templateText: "fan <*> has stopped", label: .abnormal, note: "A stopped fan overheats the node.")
        let withExample = await engine.judge(Sample.window(template: template, key: "w2"), suspicion: Sample.suspicion)
        assertPlumbing(withExample)
        let grown = (withExample.promptTokens ?? 0) - (plain.promptTokens ?? 0)
        print("few-shot prompt tokens: \(plain.promptTokens ?? -1) -> \(withExample.promptTokens ?? -1)")
        #expect(grown > 20, "prompt tokens \(plain.promptTokens ?? -1) -> \(withExample.promptTokens ?? -1)")
        let statistics = await engine.statistics
        #expect(statistics.fewShotPrompts == 1 && statistics.calls == 2)
    }
}
