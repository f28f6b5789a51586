import Foundation
import RationCore
import Testing
@testable import Reasoning

/// Labels that cannot over-reach: an alert's label covers the exact texts of its templates,
/// only a template's own label is a pattern, and old files keep their meaning.
@Suite struct LabelReachTests {
    func key(_ text: String) -> VerdictCache.Key { .init(templateText: text, model: "m", promptVersion: "v1") }

    @Test func literalWordsIgnoreParametersAndPunctuation() {
        #expect(LabelReach.literalWords(in: "<*>") == 0)
        #expect(LabelReach.literalWords(in: "<*> - <*>:<*>") == 0)
        #expect(LabelReach.literalWords(in: "error <*>") == 1)
        #expect(LabelReach.literalWords(in: "pid=<*> exited") == 2)
        #expect(LabelReach.literalWords(in: "Accepted publickey for <*>") == 3)
        #expect(LabelReach.isTooBroad("<*>") && LabelReach.isTooBroad("error <*>"))
        #expect(!LabelReach.isTooBroad("disk <*> failed"))
    }

    @Test func anAlertLabelOnABroadTemplateCoversOnlyThatExactText() {
        var cache = VerdictCache()
        // What "31337" or "/tmp/x" mine to, in a window labelled normal.
        cache.applyAlertLabel(templateTexts: ["<*>", "backup <*> done"], label: .normal, alert: 1)
        #expect(cache.operatorOverrides.map(\.match) == [.exact, .exact])
        #expect(cache.lookup(key("<*>"))?.status == .operatorOverride)
        #expect(cache.lookup(key("backup <*> done"))?.status == .operatorOverride)
        // The next real error is not an instance of either label any more.
        #expect(cache.lookup(key("kernel panic <*> not syncing")) == nil)
        #expect(cache.lookup(key("backup <*> done with <*> errors")) == nil)
    }

    @Test func aTemplateLabelIsAPattern() {
        var cache = VerdictCache()
        cache.setOverride(templateText: "noisy <*>", label: .normal)
        #expect(cache.operatorOverrides.first?.match == .pattern)
        #expect(cache.lookup(key("noisy link 3 flapped"))?.status == .operatorOverride)
    }

    @Test func theMatchKindSurvivesARestart() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var cache = VerdictCache(path: directory + "/verdicts.cache")
        cache.applyAlertLabel(templateTexts: ["<*>"], label: .normal, alert: 3)
        cache.setOverride(templateText: "fan <*> stopped", label: .abnormal)
        try cache.save()
        var reopened = try VerdictCache.open(path: directory + "/verdicts.cache")
        #expect(reopened.operatorOverrides.map { "\($0.templateText)=\($0.effectiveMatch.rawValue)" }
                == ["<*>=exact", "fan <*> stopped=pattern"])
        #expect(reopened.lookup(key("segfault at <*>")) == nil)
        #expect(reopened.lookup(key("fan 2 stopped"))?.label == .abnormal)
    }

    /// A file written before the match kind was kept: its labels, also those an alert implied,
    /// stay patterns, and saving it again does not invent a kind.
    @Test func labelsFromOlderFilesKeepTheirPatternMeaning() throws {
        let directory = Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/verdicts.cache"
        let old = #"{"entries":[],"format":1,"overrides":[{"alert":5,"label":"normal","templateText":"login <*>"}]}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: path))
        var cache = try VerdictCache.open(path: path)
        #expect(cache.operatorOverrides.first?.match == nil)
        #expect(cache.lookup(key("login root from <*>"))?.status == .operatorOverride)
        try cache.save()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("\"match\""))
    }

    @Test func labelChangesReportOldAndNewLabels() {
        var cache = VerdictCache()
        cache.setOverride(templateText: "b <*> failed", label: .abnormal)
        var changes = cache.changingLabels {
            $0.applyAlertLabel(templateTexts: ["a <*> ok", "b <*> failed"], label: .normal, alert: 7)
        }
        #expect(changes == [.init(templateText: "a <*> ok", old: nil, new: .normal, match: .exact)])
        changes = cache.changingLabels { $0.setOverride(templateText: "a <*> ok", label: .abnormal) }
        #expect(changes == [.init(templateText: "a <*> ok", old: .normal, new: .abnormal, match: .pattern)])
        // An alert relabelled abnormal with several templates implies none: its earlier label is withdrawn.
        cache.applyAlertLabel(templateTexts: ["c <*> idle"], label: .normal, alert: 8)
        changes = cache.changingLabels { $0.applyAlertLabel(templateTexts: ["c <*> idle", "d <*> x"], label: .abnormal, alert: 8) }
        #expect(changes == [.init(templateText: "c <*> idle", old: .normal, new: nil, match: nil)])
    }
}

extension OperatorLabelTests {
    /// The reported flaw: a normal alert whose window held `<*>` made every later template
    /// `normal [operator override]` without a call. Now the error window is asked about.
    @Test func aNormalAlertWithABroadTemplateDoesNotSilenceTheNextErrorWindow() async {
        let backend = RecordingBackend()
        let engine = Self.engine(backend)
        await engine.applyAlertLabel(templateTexts: ["<*>", "cron <*> started"], label: .normal, alert: 1)
        let error = await engine.judge(Sample.window(template: "disk <*> failed with I/O error"), suspicion: Sample.suspicion)
        #expect(error.status == .verified && error.label == .abnormal)
        #expect(backend.count == 1)
    }
}
