import Foundation
import RationCore
import Testing
@testable import Triage

/// A window of synthetic template ids, one event per second from `start`.
func window(_ ids: [UInt64], key: String = "w", source: SourceID = "files", start: Double = 0,
            spacing: Double = 1, priorities: [UInt64: Priority] = [:]) -> Window {
    let events = ids.enumerated().map { k, id in
        WindowEvent(time: EventTime(secondsSinceEpoch: start + Double(k) * spacing), templateID: TemplateID(id),
                    message: "m\(id)", priority: priorities[id])
    }
    var templates: [TemplateID: String] = [:]
    for id in ids { templates[TemplateID(id)] = "template \(id)" }
    return Window(key: SessionKey(key), source: source, start: events.first?.time ?? .zero,
                  end: events.last?.time ?? .zero, events: events, templates: templates)
}

/// Mechanism tests pin their own threshold and rarity rather than the shipped defaults.
func configuration(warmup: Int = 0, budget: Int? = nil) -> TriageConfiguration {
    TriageConfiguration(threshold: 6, warmupWindows: warmup, escalationBudgetPerHour: budget, rareFraction: 0.01)
}

/// A triage that has learned `count` normal windows: mostly [1,2,2,2,3], a fifth [1,2,2,2,3,4].
func trained(_ count: Int = 500, _ configuration: TriageConfiguration = configuration()) throws -> Triage {
    var triage = try Triage(configuration: configuration)
    for i in 0..<count {
        _ = triage.assess(window(i % 5 == 0 ? [1, 2, 2, 2, 3, 4] : [1, 2, 2, 2, 3], start: Double(i * 60)))
    }
    return triage
}

@Suite struct TriageTests {
    @Test func normalWindowsStayQuiet() throws {
        var triage = try trained()
        let s = triage.assess(window([1, 2, 2, 2, 3], start: 1e6))
        #expect(!s.escalated)
        #expect(s.score < triage.configuration.threshold)
        let t = triage.assess(window([1, 2, 2, 2, 3, 4], start: 1e6 + 60))
        #expect(!t.escalated)
    }

    @Test func newTemplateEscalatesWithItsReason() throws {
        var triage = try trained()
        let s = triage.assess(window([1, 2, 9, 2, 2, 3], start: 1e6))
        #expect(s.escalated)
        let top = try #require(s.reasons.first)
        #expect(top.kind == .newTemplate)
        #expect(top.templateID == TemplateID(9))
        #expect(top.detail.contains("never seen in 500 windows"))
        #expect(top.detail.contains("template 9"))
    }

    @Test func rareTransitionNamesBothTemplates() throws {
        var triage = try trained()
        let s = triage.assess(window([1, 3, 2, 2, 2], start: 1e6))
        #expect(s.escalated)
        let transition = try #require(s.reasons.first { $0.kind == .rareTransition })
        #expect(transition.detail.contains("-> "))
        #expect(s.reasons.allSatisfy { $0.kind != .newTemplate && $0.kind != .countDeviation })
        #expect(s.reasons.contains { $0.previousTemplateID == TemplateID(1) && $0.templateID == TemplateID(3) })
    }

    @Test func countDeviationNamesTheDeviatingTemplate() throws {
        var triage = try trained()
        let s = triage.assess(window([1, 2, 3], start: 1e6))
        #expect(s.escalated)
        let reason = try #require(s.reasons.first { $0.kind == .countDeviation })
        #expect(reason.templateID == TemplateID(2))
        #expect(reason.detail.contains("T2 x1 vs usual 3"))
        #expect(!s.reasons.contains { $0.kind == .rareTransition })
    }

    @Test func missingUsualTemplateExplainsCountDeviation() throws {
        var triage = try trained()
        let s = triage.assess(window([1, 2, 2, 2], start: 1e6))
        let reason = try #require(s.reasons.first { $0.kind == .countDeviation })
        #expect(reason.detail.contains("T3 absent"))
    }

    @Test func severityScoresAndIsHalvedWhenRoutine() throws {
        let triage = try trained()
        let crit = triage.score(window([1, 2, 2, 2, 3], priorities: [3: .crit]))
        #expect(crit.reasons.map(\.kind) == [.severity])
        #expect(crit.score == triage.configuration.criticalScore)
        #expect(triage.isSuspicious(crit))
        // A template that logs at err in most windows is routine: half the score.
        var routine = try Triage(configuration: configuration())
        for i in 0..<100 { _ = routine.assess(window([1, 5], start: Double(i * 60), priorities: [5: .err])) }
        let s = routine.score(window([1, 5], priorities: [5: .err]))
        #expect(s.score == routine.configuration.errorScore / 2)
        #expect(s.reasons[0].detail.contains("routine"))
    }

    @Test func moreSevereEventsScoreMore() throws {
        let triage = try trained()
        let four = triage.score(window([1, 2, 2, 2, 3, 3, 3, 3], priorities: [3: .crit]))
        let severity = try #require(four.reasons.first { $0.kind == .severity })
        #expect(severity.score == triage.configuration.criticalScore + 2)      // + log2(4 events)
        #expect(severity.detail.hasPrefix("4 crit events"))
    }

    @Test func severalNewTemplatesAreRarerThanOne() throws {
        // P(K >= k) for a Poisson count: exact small cases.
        let lambda = 0.5
        #expect(abs(TriageModel.poissonTail(atLeast: 1, lambda: lambda) - (1 - exp(-lambda))) < 1e-12)
        let p3 = 1 - exp(-lambda) * (1 + lambda + lambda * lambda / 2)
        #expect(abs(TriageModel.poissonTail(atLeast: 3, lambda: lambda) - p3) < 1e-12)
        let triage = try trained()
        let one = triage.score(window([1, 2, 2, 2, 3, 50]))
        let three = triage.score(window([1, 2, 2, 2, 3, 50, 51, 52]))
        #expect(three.score > one.score + 10)
    }

    @Test func newTemplateRateBoundTightensWithEvidence() {
        // The 99% Poisson lower limit chi2(0.01; 2k)/2: exact values 0.01005 (k = 1),
        // 4.130 (k = 10) and 78.22 (k = 100) (scipy chi2.ppf); the bound is per learned window.
        func bound(introductions: Int, windows: Int) -> Double {
            var model = TriageModel()
            model.templateIntroductions = introductions
            model.windows = windows
            return model.newTemplatesPerWindowLowerBound
        }
        #expect(abs(bound(introductions: 0, windows: 0) - 0.01005) < 1e-4)
        #expect(abs(bound(introductions: 9, windows: 9) * 10 - 4.130) < 0.03)
        #expect(abs(bound(introductions: 99, windows: 999) * 1_000 - 78.22) < 0.1)
        // Always below the point estimate, and closer to it the more introductions were seen.
        for (k, n) in [(0, 2), (3, 15), (30, 3_000), (300, 30_000)] {
            var model = TriageModel()
            model.templateIntroductions = k
            model.windows = n
            #expect(model.newTemplatesPerWindowLowerBound < model.newTemplatesPerWindow)
        }
        let few = bound(introductions: 3, windows: 15) * 16 / 4
        let many = bound(introductions: 300, windows: 30_000) * 30_001 / 301
        #expect(few < 0.4 && many > 0.8)
    }

    @Test func burstAgainstTheSourceRate() throws {
        var triage = try Triage(configuration: configuration())
        for i in 0..<50 { _ = triage.assess(window(Array(repeating: 1, count: 60), start: Double(i * 600), spacing: 1)) }
        let calm = triage.score(window(Array(repeating: 1, count: 60), start: 1e6, spacing: 1))
        #expect(!calm.reasons.contains { $0.kind == .burst })
        let burst = triage.score(window(Array(repeating: 1, count: 60), start: 1e6, spacing: 0.01))
        let reason = try #require(burst.reasons.first { $0.kind == .burst })
        #expect(reason.detail.contains("vs usual 1/s"))
    }

    @Test func warmupLearnsButNeverEscalates() throws {
        var triage = try Triage(configuration: configuration(warmup: 10))
        var escalated = 0
        for i in 0..<10 {
            let w = window([UInt64(100 + i)], start: Double(i), priorities: [UInt64(100 + i): .crit])
            escalated += triage.assess(w).escalated ? 1 : 0
        }
        #expect(escalated == 0)
        #expect(triage.statistics.suppressedByWarmup > 0)
        #expect(!triage.isWarmingUp("files"))
        #expect(triage.isWarmingUp("journal"))
        #expect(triage.learnedWindows == 10)
    }

    @Test func budgetLimitsEscalationsPerHourOfEventTime() throws {
        var triage = try trained(500, configuration(budget: 2))
        var escalated: [Bool] = []
        let critical: [UInt64: Priority] = [3: .crit]
        for i in 0..<5 {
            escalated.append(triage.assess(window([1, 2, 2, 2, 3], start: 1e6 + Double(i), priorities: critical)).escalated)
        }
        #expect(escalated == [true, true, false, false, false])
        #expect(triage.statistics.suppressedByBudget == 3)
        // Half an hour later one token is back.
        #expect(triage.assess(window([1, 2, 2, 2, 3], start: 1e6 + 1_805, priorities: critical)).escalated)
        #expect(!triage.assess(window([1, 2, 2, 2, 3], start: 1e6 + 1_806, priorities: critical)).escalated)
    }

    @Test func unescalatedOnlyLearningKeepsSuspiciousPatternsSuspicious() throws {
        var config = configuration()
        config.learning = .unescalatedOnly
        var triage = try trained(500, config)
        for i in 0..<20 { #expect(triage.assess(window([1, 2, 7], start: 1e6 + Double(i))).escalated) }
        var learning = try trained(500)
        let escalations = (0..<20).filter { learning.assess(window([1, 2, 7], start: 1e6 + Double($0))).escalated }
        #expect(escalations.count < 20)   // with all-windows learning it becomes merely uncommon
    }

    @Test func stateSurvivesASnapshotRoundTrip() throws {
        var original = try trained(300)
        _ = original.assess(window([1, 2, 9], start: 1e6))
        let bytes = try original.snapshot()
        var restored = try Triage(snapshot: bytes, configuration: configuration())
        #expect(try restored.snapshot() == bytes)
        #expect(restored.learnedWindows == original.learnedWindows)
        #expect(restored.statistics == original.statistics)
        let probes = [[1, 2, 2, 2, 3], [1, 3], [1, 2, 9], [4, 4, 4, 4], [1, 2, 2, 2, 3, 4], [77]]
        for (k, ids) in probes.enumerated() {
            let w = window(ids.map(UInt64.init), start: 2e6 + Double(k))
            #expect(restored.assess(w) == original.assess(w))
        }
    }

    @Test func corruptSnapshotsAreRejected() throws {
        #expect(throws: TriageError.self) { try Triage(snapshot: Array("not json".utf8)) }
        var bytes = try trained(10).snapshot()
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"version\":2", with: "\"version\":99")
        bytes = Array(text.utf8)
        #expect(throws: TriageError.unsupportedSnapshotVersion(found: 99, supported: 2)) {
            try Triage(snapshot: bytes)
        }
    }

    @Test func sameInputGivesSameScores() throws {
        func run() throws -> ([Suspicion], [UInt8]) {
            var triage = try Triage(configuration: configuration(warmup: 20))
            var generator = SplitMix(seed: 7)
            var out: [Suspicion] = []
            for i in 0..<400 {
                let length = 3 + Int(generator.next() % 10)
                let ids = (0..<length).map { _ in generator.next() % 30 }
                let priorities: [UInt64: Priority] = generator.next() % 10 == 0 ? [ids[0]: .crit] : [:]
                out.append(triage.assess(window(ids, start: Double(i * 30), priorities: priorities)))
            }
            return (out, try triage.snapshot())
        }
        let (a, snapshotA) = try run()
        let (b, snapshotB) = try run()
        #expect(a == b)
        #expect(snapshotA == snapshotB)
        #expect(a.contains { $0.escalated })
    }

    @Test func learnedTablesStayCapped() throws {
        var config = configuration()
        config.maxTemplates = 20
        config.maxTransitions = 20
        config.maxSignatures = 20
        var triage = try Triage(configuration: config)
        for i in 0..<500 { _ = triage.assess(window([UInt64(i), UInt64(i + 1)], start: Double(i))) }
        let model = try #require(triage.baselines["files"]).model
        #expect(model.templates.count <= 20)
        #expect(model.transitions.count <= 20)
        #expect(model.signatures.count <= 20)
    }

    @Test func baselinesAreCappedBySource() throws {
        var config = configuration()
        config.maxSources = 10
        var triage = try Triage(configuration: config)
        for i in 0..<13 {
            for k in 0...i { _ = triage.assess(window([1, 2], source: SourceID("files.s\(i)"), start: Double(100 * i + k))) }
        }
        // Each new source beyond ten pushed out the other one with the fewest windows.
        #expect(triage.baselines.count == 10)
        #expect(Set(triage.baselines.keys) == Set((3..<13).map { SourceID("files.s\($0)") }))
        #expect(triage.baselines["files.s12"]?.model.windows == 13)
    }

    @Test func aChattySourceDoesNotMakeAQuietSourcesRoutineRare() throws {
        // The quiet source's routine window is [1, 2, 3]; a chatty source sends 50 times as many
        // windows of other templates. Judged among the quiet source's windows, [1, 2, 3] is
        // usual; among all windows it would be in 2% of them.
        var triage = try Triage(configuration: configuration())
        var t = 0.0
        for _ in 0..<100 {
            _ = triage.assess(window([1, 2, 3], source: "files.quiet", start: t))
            for _ in 0..<50 {
                t += 1
                _ = triage.assess(window([50, 51, 52], source: "files.chatty", start: t))
            }
        }
        let s = triage.assess(window([1, 2, 3], source: "files.quiet", start: t + 1))
        #expect(!s.reasons.contains { $0.kind == .rareTemplate || $0.kind == .rareTransition })
        #expect(s.score < triage.configuration.threshold)
        // A template only the chatty source sends is new to the quiet one.
        let odd = triage.assess(window([1, 2, 50], source: "files.quiet", start: t + 2))
        #expect(odd.reasons.contains { $0.kind == .newTemplate && $0.templateID == TemplateID(50) })
        #expect(triage.learnedWindows == 100 + 5_000 + 2)
    }

    @Test func aVersionOneSnapshotGivesEachSourceTheSharedBaseline() throws {
        // Written by the format before baselines were per source: one model, two source rates.
        let v1 = """
        {"budgetTokens":10,"format":"rationd-triage","signatures":[[5,40]],\
        "sources":[{"rate":0.5,"source":"files.a","windows":30},{"rate":2,"source":"journal","windows":10}],\
        "statistics":{"assessed":40,"escalated":0,"learned":40,"overThreshold":0,"suppressedByBudget":0,"suppressedByWarmup":0},\
        "templateCounts":[[40,40],[80,160]],"templateIntroductions":1,"templates":[[1,40,0],[2,40,0]],\
        "transitions":[[18446744073709551615,1,40],[1,2,40],[2,18446744073709551615,40]],"version":1,\
        "windows":40,"windowsWithNewSignature":0,"windowsWithNewTransition":1}
        """
        let triage = try Triage(snapshot: Array(v1.utf8), configuration: configuration())
        #expect(Set(triage.baselines.keys) == ["files.a", "journal"])
        #expect(triage.learnedWindows == 80)
        #expect(triage.statistics.assessed == 40)
        let a = try #require(triage.baselines["files.a"]).model
        #expect(a.templates[TemplateID(2)]?.meanCount == 2)
        #expect(a.sources["files.a"]?.windows == 30)
        #expect(a.sources["journal"] == nil)
        #expect(try #require(triage.baselines["journal"]).model.sources["journal"]?.rate == 2)
        // Version 2 written back restores to the same state.
        let bytes = try triage.snapshot()
        #expect(try Triage(snapshot: bytes, configuration: configuration()).snapshot() == bytes)
    }

    @Test func badConfigurationNamesTheSetting() {
        #expect(throws: TriageError.invalidConfiguration(setting: "rareFraction", reason: "must be in (0, 1), got 2.0")) {
            try Triage(configuration: TriageConfiguration(rareFraction: 2))
        }
    }
}
