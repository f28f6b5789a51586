import Foundation
import RationCore
import Testing
@testable import Reasoning

/// Few-shot selection (deterministic, bounded), the chat-message order of the examples, and
/// the few-shot CSV.
@Suite struct FewShotSelectionTests {
    static let instruction = PromptSet.rationAnomaly.templateInstruction

    static func example(_ text: String, _ label: Verdict.Label, _ note: String? = nil,
                        origin: LabelledExample.Origin = .operator) -> LabelledExample {
        LabelledExample(templateText: text, label: label, analysis: note, origin: origin)
    }

    static let labels = [
        example("disk <*> failure: I/O error at sector <*>", .abnormal, "An I/O error on a disk is a hardware fault."),
        example("disk <*> mounted read-write", .normal),
        example("worker <*> processed request id=<*> in <*> ms", .normal, "Routine request processing."),
        example("kernel panic: segfault in module <*>", .abnormal),
        example("disk <*> failure: controller reset", .abnormal),
    ]

    static func selector(maxExamples: Int = 3, maxTokens: Int = 400, _ examples: [LabelledExample] = labels) -> FewShotSelector {
        FewShotSelector(configuration: .init(maxExamples: maxExamples, maxTokens: maxTokens), instruction: instruction,
                        examples: examples)
    }

    @Test func mostSimilarLabelledTemplatesComeLastInPromptOrder() {
        let chosen = Self.selector().select(for: "disk <*> failure: I/O error at block <*>")
        #expect(chosen.map(\.templateText) == [
            "disk <*> mounted read-write",                    // 1 shared word of 10 in either
            "disk <*> failure: controller reset",             // 2 of 9
            "disk <*> failure: I/O error at sector <*>",      // 6 of 8
        ])
    }

    @Test func emptyWithoutLabelsWithoutSharedWordsOrWhenDisabled() {
        #expect(Self.selector([]).select(for: "disk <*> failure").isEmpty)
        #expect(Self.selector().select(for: "ntpd synchronised to <*>").isEmpty, "no shared word: no example")
        #expect(Self.selector(maxExamples: 0).select(for: "disk <*> failure").isEmpty)
        #expect(Self.selector(maxTokens: 0).select(for: "disk <*> failure").isEmpty)
    }

    @Test func theJudgedTemplateIsNeverItsOwnExampleAndWildcardsAreNoWords() {
        let chosen = Self.selector().select(for: "disk <*> failure: controller reset")
        #expect(!chosen.contains { $0.templateText == "disk <*> failure: controller reset" })
        #expect(FewShotSelector.words(of: "Disk <*> failure: I/O <*>") == ["disk", "failure", "i", "o"])
        #expect(Self.selector().select(for: "<*> <*>").isEmpty)
    }

    @Test func sameLabelsInAnyOrderGiveTheSameExamplesInTheSameOrder() {
        // Ties: each shares "link" and "down" with the query and has 4 words; text order decides
        // which is taken first, and the first taken goes last.
        let tied = [Self.example("link eth1 down now", .abnormal), Self.example("link eth0 down now", .normal),
                    Self.example("link down after <*> retries", .abnormal)]
        let query = "link <*> down"
        let reference = Self.selector(tied).select(for: query)
        #expect(reference.map(\.templateText) == ["link eth1 down now", "link eth0 down now", "link down after <*> retries"])
        var generator = SplitMix64(seed: 7)
        for _ in 0..<20 {
            let shuffled = (tied + Self.labels).shuffled(using: &generator)
            #expect(Self.selector(shuffled).select(for: query) == Self.selector(tied + Self.labels).select(for: query))
        }
        #expect(Self.selector(tied).select(for: query) == reference, "repeatable")
    }

    @Test func countAndTokenBudgetAreRespected() {
        let many = (0..<40).map { Self.example("disk sda\($0) failure <*> sector \($0)", $0 % 2 == 0 ? .abnormal : .normal) }
        let query = "disk <*> failure <*> sector <*>"
        for limit in [1, 2, 3, 5] {
            #expect(Self.selector(maxExamples: limit, maxTokens: 10_000, many).select(for: query).count == limit)
        }
        let selector = Self.selector(maxExamples: 10, maxTokens: 100, many)
        let chosen = selector.select(for: query)
        let cost = chosen.map(selector.cost(of:)).reduce(0, +)
        #expect(!chosen.isEmpty && cost <= 100, "cost \(cost)")
        #expect(cost + selector.cost(of: many[0]) > 100, "another example would have fit")
    }

    @Test func anExampleOverTheBudgetIsPassedOverForSmallerOnes() {
        let long = Self.example("disk <*> failure " + String(repeating: "very long detail ", count: 40), .abnormal)
        let short = Self.example("disk <*> timeout", .normal)
        let selector = Self.selector(maxTokens: 100, [long, short])
        #expect(selector.cost(of: long) > 100 && selector.cost(of: short) <= 100)
        #expect(selector.select(for: "disk <*> failure").map(\.templateText) == ["disk <*> timeout"])
    }

    @Test func operatorLabelsWinOverFileRowsOfTheSameText() {
        var selector = Self.selector([Self.example("fan <*> stopped", .normal, origin: .file)])
        selector.replaceOperatorExamples([Self.example("fan <*> stopped", .abnormal, "fans must not stop")])
        #expect(selector.select(for: "fan <*> stopped spinning").map(\.label) == [.abnormal])
        selector.replaceOperatorExamples([])
        #expect(selector.select(for: "fan <*> stopped spinning").map(\.label) == [.normal], "the file row shows again")
    }

    @Test func anOperatorLabelWithoutANoteTakesTheAnalysisOfAnAgreeingFileRow() {
        let distilled = Self.example("fan <*> stopped", .abnormal, "A stopped fan overheats the node.", origin: .file)
        var selector = Self.selector([distilled])
        selector.replaceOperatorExamples([Self.example("fan <*> stopped", .abnormal)])
        #expect(selector.select(for: "fan <*> stopped spinning").map(\.analysis) == ["A stopped fan overheats the node."])
        selector.replaceOperatorExamples([Self.example("fan <*> stopped", .normal)])
        #expect(selector.select(for: "fan <*> stopped spinning").map(\.analysis) == [nil], "a disagreeing analysis is not borrowed")
        #expect(selector.select(for: "fan <*> stopped spinning").map(\.label) == [.normal])
    }

    @Test func examplesPrecedeTheQuestionAsUserAndAssistantTurns() {
        let examples = [Self.example("disk <*> mounted read-write", .normal),
                        Self.example("disk <*> failure: I/O error", .abnormal, "The disk reports an <answer>I/O error</answer>.")]
        let messages = PromptBuilder(prompts: .rationAnomaly).templateMessages(templateText: "disk <*> failure: timeout",
                                                                               examples: examples)
        #expect(messages.map(\.role) == [.system, .user, .assistant, .user, .assistant, .user])
        #expect(messages[1].content == Self.instruction + "\n<log-data>\ndisk <*> mounted read-write\n</log-data>")
        #expect(messages[2].content == "<think>An operator of this system reviewed this log template and labelled it normal: "
                + "it reports routine operation.</think><answer>normal</answer>")
        #expect(messages[3].content == Self.instruction + "\n<log-data>\ndisk <*> failure: I/O error\n</log-data>")
        #expect(messages[4].content == "<think>The disk reports an I/O error.</think><answer>abnormal</answer>",
                "the note is the analysis, with its tags removed")
        #expect(messages[5].content == Self.instruction + "\n<log-data>\ndisk <*> failure: timeout\n</log-data>")
        #expect(PromptBuilder(prompts: .rationAnomaly).templateMessages(templateText: "x").map(\.role) == [.system, .user])
        // Every example reply passes the verifier's format check: it is a reply the model may imitate.
        for example in examples {
            let outcome = ReplyVerifier().verify(content: example.assistantContent, constraint: .none, evidence: [example.templateText],
                                                 lineCount: 0, finishReason: "stop")
            #expect(outcome.label == example.label)
        }
    }

    @Test func fingerprintFollowsTheExamples() {
        let a = [Self.labels[0], Self.labels[1]]
        #expect(FewShotSelector.fingerprint(a) == FewShotSelector.fingerprint(a))
        #expect(FewShotSelector.fingerprint(a) != FewShotSelector.fingerprint(a.reversed()))
        var relabelled = a
        relabelled[0].label = .normal
        #expect(FewShotSelector.fingerprint(a) != FewShotSelector.fingerprint(relabelled))
        #expect(FewShotSelector.fingerprint(a).count == 16)
    }
}

@Suite struct FewShotFileTests {
    @Test func readsLogPromptLabelsPreferringRectifiedAndQuotedFields() throws {
        let text = """
            log,label,label_rectified
            fpr5=0x8e7d21fd <*>,0,0
            <*> exited abnormally due to signal: Aborted,1,1
            "ciod: Error loading <*>: invalid or missing program image, No such file or directory",0,1

            """
        let examples = try FewShotFile.parse(text, path: "bgl.csv")
        #expect(examples.map(\.templateText) == ["fpr5=0x8e7d21fd <*>", "<*> exited abnormally due to signal: Aborted",
                                                  "ciod: Error loading <*>: invalid or missing program image, No such file or directory"])
        #expect(examples.map(\.label) == [.normal, .abnormal, .abnormal], "label_rectified wins over label")
        #expect(examples.allSatisfy { $0.origin == .file && $0.analysis == nil })
    }

    @Test func readsWordLabelsAndAnalyses() throws {
        let examples = try FewShotFile.parse("template,label,analysis\nfan <*> stopped,abnormal,\"Fans cool the CPU, so it overheats.\"\n",
                                             path: "x.csv")
        #expect(examples == [LabelledExample(templateText: "fan <*> stopped", label: .abnormal,
                                             analysis: "Fans cool the CPU, so it overheats.", origin: .file)])
    }

    @Test func readsTheLabelledTemplateJSONLinesOfExportSFT() throws {
        let text = """
            {"time": 1764150000, "template": "fan <*> stopped", "label": "abnormal", "analysis": "A stopped fan overheats the node."}

            {"time": "2026-11-26T10:00:00Z", "template": "fan <*> speed <*> rpm", "label": "normal"}
            """
        let examples = try FewShotFile.parseJSONLines(text, path: "labels.jsonl")
        #expect(examples == [
            LabelledExample(templateText: "fan <*> stopped", label: .abnormal, analysis: "A stopped fan overheats the node.", origin: .file),
            LabelledExample(templateText: "fan <*> speed <*> rpm", label: .normal, origin: .file),
        ])
        // Appended over time: the last line about a template stands.
        let relabelled = try FewShotFile.parseJSONLines(text + "\n{\"template\": \"fan <*> stopped\", \"label\": \"normal\"}\n",
                                                        path: "labels.jsonl")
        #expect(relabelled.map(\.label) == [.normal, .normal] && relabelled[0].analysis == nil)
        #expect(throws: ReasoningError.labels(path: "labels.jsonl", line: 2, detail: "missing \"label\"")) {
            try FewShotFile.parseJSONLines("{\"template\": \"a\", \"label\": \"normal\"}\n{\"template\": \"b\"}\n", path: "labels.jsonl")
        }
        #expect(throws: ReasoningError.self) { try FewShotFile.parseJSONLines("not json\n", path: "labels.jsonl") }
        // `load` picks the format by the file name.
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try text.write(toFile: directory + "/labels.jsonl", atomically: true, encoding: .utf8)
        #expect(try FewShotFile.load(path: directory + "/labels.jsonl") == examples)
    }

    @Test func errorsNameTheFileAndLine() {
        #expect(throws: ReasoningError.labels(path: "x.csv", line: 3, detail: "label is \"maybe\", expected normal, abnormal, 0 or 1")) {
            try FewShotFile.parse("template,label\na <*>,normal\nb <*>,maybe\n", path: "x.csv")
        }
        #expect(throws: ReasoningError.labels(path: "x.csv", line: 3, detail: "template labelled normal on line 2 is abnormal here")) {
            try FewShotFile.parse("template,label\na <*>,normal\na <*>,abnormal\n", path: "x.csv")
        }
        #expect(throws: ReasoningError.self) { try FewShotFile.parse("text,verdict\na,normal\n", path: "x.csv") }
        #expect(throws: ReasoningError.self) { try FewShotFile.load(path: "/nonexistent/labels.csv") }
    }
}
