import Foundation
import RationCore
import Testing
@testable import Reasoning

@Suite struct VerdictCacheTests {
    func key(_ text: String, model: String = "m", version: String = "v1") -> VerdictCache.Key {
        .init(templateText: text, model: model, promptVersion: version)
    }

    func verdict(_ label: Verdict.Label, _ status: Verdict.Status = .verified) -> Verdict {
        Verdict(label: label, status: status, rationale: "because", model: "m", verifierScore: 2.1)
    }

    @Test func persistsAndReloads() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.json"
        var cache = VerdictCache(path: path)
        cache.store(verdict(.abnormal), for: key("disk failure on <*>"))
        cache.store(.skipped("budget"), for: key("never stored"))
        cache.setOverride(templateText: "noisy <*>", label: .normal, note: "known noise")
        try cache.save()

        var reloaded = try VerdictCache.open(path: path)
        #expect(reloaded.count == 1 && reloaded.overrideCount == 1)
        let found = reloaded.lookup(key("disk failure on <*>"))
        let hit = try #require(found)
        #expect(hit.label == .abnormal && hit.cached && hit.status == .verified)
        let otherModel = reloaded.lookup(key("disk failure on <*>", model: "other"))
        let otherVersion = reloaded.lookup(key("disk failure on <*>", version: "v2"))
        let skipped = reloaded.lookup(key("never stored"))
        #expect(otherModel == nil && otherVersion == nil && skipped == nil)
    }

    @Test func overridesWinIncludingWildcards() {
        var cache = VerdictCache()
        cache.store(verdict(.abnormal), for: key("noisy link 3 flapped"))
        cache.setOverride(templateText: "noisy <*>", label: .normal, note: "known noise")
        let hit = cache.lookup(key("noisy link 3 flapped"))
        #expect(hit?.status == .operatorOverride && hit?.label == .normal && hit?.rationale == "known noise")
        cache.removeOverride(templateText: "noisy <*>")
        let model = cache.lookup(key("noisy link 3 flapped"))
        #expect(model?.label == .abnormal)
    }

    @Test func generalisedTemplateInheritsOnlyWhenInstancesAgree() {
        var cache = VerdictCache()
        cache.store(verdict(.normal), for: key("job 12 started on node a"))
        cache.store(verdict(.normal), for: key("job 13 started on node b"))
        let inherited = cache.lookup(key("job <*> started on node <*>"))
        #expect(inherited?.label == .normal && inherited?.cached == true)
        #expect(inherited?.rationale.contains("generalises 2") == true)

        cache.store(verdict(.abnormal), for: key("link 1 down"))
        cache.store(verdict(.normal), for: key("link 2 up"))
        let disagreeing = cache.lookup(key("link <*>"))
        #expect(disagreeing == nil, "disagreeing instances must be re-judged")

        cache.store(verdict(.abnormal, .unverified(reason: "format")), for: key("fan 3 failed"))
        let doubtful = cache.lookup(key("fan <*> failed"))
        #expect(doubtful == nil, "unverified instances are not inherited")
    }

    @Test func corruptFileIsMovedAsideNotLost() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.json"
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReasoningError.self) { try VerdictCache.open(path: path) }
        let (cache, recovery) = VerdictCache.openRecovering(path: path)
        #expect(cache.count == 0)
        #expect(recovery?.reason.contains(path) == true)
        let aside = try #require(recovery?.movedTo)
        #expect(aside.hasPrefix(path + ".damaged-") && FileManager.default.fileExists(atPath: aside))
    }
}

@Suite struct OracleBackendTests {
    @Test func loadsLabelledTemplatesAndAnswersByWildcardMatch() async throws {
        let oracle = try OracleBackend.load(path: Paths.fixtures + "/bgl_templates_sample.csv", column: "label_rectified")
        #expect(oracle.labels.count == 10)
        #expect(oracle.label(of: "ciod: Error creating node map from file /p/map.txt x y z")?.abnormal == true)
        #expect(oracle.label(of: "instruction cache parity error corrected")?.abnormal == false)
        // A quoted CSV field with commas, relabelled abnormal by the rectification.
        #expect(oracle.label(of: "ciod: Error loading ../homme/build.Linux/preqx -n 1800: invalid or missing program image, No such file or directory")?.abnormal == true)

        let request = ChatRequest(messages: [], temperature: 0, maxTokens: 64, constraint: .none,
                                  subject: .template(text: "<*> exited abnormally due to signal: <*>",
                                                     lines: ["ciodb exited abnormally due to signal: Aborted"]))
        let reply = try await oracle.complete(request)
        let outcome = ReplyVerifier().verify(content: reply.content, constraint: .none,
                                             evidence: ["<*> exited abnormally due to signal: <*>", "ciodb exited abnormally due to signal: Aborted"])
        #expect(outcome.isVerified, "\(outcome.failures)")
        #expect(outcome.label == .abnormal)
        #expect(oracle.requestCount == 1)
    }

    @Test func badLabelFileNamesTheLine() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/labels.csv"
        try Data("log,label\nfine,0\nbroken,yes\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ReasoningError.labels(path: path, line: 3, detail: "label is \"yes\", expected 0 or 1")) {
            try OracleBackend.load(path: path, column: "label")
        }
    }
}

@Suite struct APIKeySourceTests {
    @Test func readsFilesAndCredentials() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("sk-test-123\n".utf8).write(to: URL(fileURLWithPath: directory + "/openai"))
        #expect(try APIKeySource.file(directory + "/openai").load() == "sk-test-123")
        #expect(try APIKeySource.credential("openai").load(environment: ["CREDENTIALS_DIRECTORY": directory]) == "sk-test-123")
        #expect(throws: ReasoningError.self) { try APIKeySource.credential("openai").load(environment: [:]) }
        #expect(throws: ReasoningError.self) { try APIKeySource.file(directory + "/missing").load() }
        // An empty file (what the package installs) is "no key", not an error.
        try Data(" \n".utf8).write(to: URL(fileURLWithPath: directory + "/empty"))
        #expect(try APIKeySource.file(directory + "/empty").load() == nil)
    }

    @Test func configurationValidationNamesTheKey() {
        var configuration = ReasoningConfiguration(endpoints: [.init(baseURL: "ftp://x", model: "m")])
        #expect(throws: ReasoningError.configuration(key: "reasoning.endpoints[0].base_url", detail: "\"ftp://x\" is not an http(s) URL")) {
            try configuration.validate()
        }
        configuration.endpoints = [.init(baseURL: "http://127.0.0.1:1/v1", model: "m")]
        configuration.maxConcurrent = 0
        #expect(throws: ReasoningError.self) { try configuration.validate() }
    }
}
