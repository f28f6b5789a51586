import Foundation
import RationCore

/// One kept teacher analysis, one JSONL line of `rationlab distill --output`. Its `time`,
/// `template`, `label` and `analysis` keys are those of ``LabelledTemplate``, so the file is
/// also a direct input of `rationlab export sft --from`.
public struct DistilledAnalysis: Sendable, Hashable, Codable {
    public var time: Double
    public var template: String
    public var label: Verdict.Label
    public var analysis: String
    /// The model the teacher endpoint says answered.
    public var teacher: String
    /// ``ReplyVerifier`` score of the reply.
    public var score: Double
    public var origin: TemplateLabel.Origin

    public init(time: Double, template: String, label: Verdict.Label, analysis: String, teacher: String, score: Double,
                origin: TemplateLabel.Origin) {
        self.time = time
        self.template = template
        self.label = label
        self.analysis = analysis
        self.teacher = teacher
        self.score = score
        self.origin = origin
    }

    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A teacher reply that was not kept, one JSONL line of the `.dropped.jsonl` file next to
/// the output: reruns skip these templates unless asked to try them again, and the operator
/// can read why each was dropped.
public struct DroppedAnalysis: Sendable, Hashable, Codable {
    public enum Reason: String, Sendable, Hashable, Codable { case disagrees, malformed }
    public var template: String
    public var label: Verdict.Label
    public var reason: Reason
    public var detail: String
    public var reply: String

    public init(template: String, label: Verdict.Label, reason: Reason, detail: String, reply: String) {
        self.template = template
        self.label = label
        self.reason = reason
        self.detail = detail
        self.reply = reply
    }

    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
