import Foundation
import RationCore

/// One expert judgement of a template: input line of `rationlab export sft`,
/// `{"time": …, "template": …, "label": "normal"|"abnormal", "analysis": …}`. `time` is Unix
/// seconds (number) or an ISO 8601 string; it orders the chronological split.
public struct LabelledTemplate: Sendable, Hashable {
    public var time: Double
    public var template: String
    public var label: Verdict.Label
    public var analysis: String

    public init(time: Double, template: String, label: Verdict.Label, analysis: String) {
        self.time = time
        self.template = template
        self.label = label
        self.analysis = analysis
    }

    public static func decode(_ line: String, source: String, lineNumber: Int) throws(CalibrationError) -> LabelledTemplate {
        func bad(_ reason: String) -> CalibrationError { .badRecord(source: source, line: lineNumber, reason: reason) }
        struct Loose: Decodable {
            enum Time: Decodable {
                case seconds(Double), text(String)
                init(from decoder: any Decoder) throws {
                    let container = try decoder.singleValueContainer()
                    if let seconds = try? container.decode(Double.self) { self = .seconds(seconds) } else {
                        self = .text(try container.decode(String.self))
                    }
                }
            }
            var time: Time?; var template: String?; var label: String?; var analysis: String?
        }
        let object: Loose
        do { object = try JSONDecoder().decode(Loose.self, from: Data(line.utf8)) } catch {
            throw bad("not a JSON object with time (number or string), template, label, analysis (strings)")
        }
        let time: Double
        switch object.time {
        case .seconds(let seconds): time = seconds
        case .text(let text):
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
                throw bad("time \"\(text.prefix(40))\" is not ISO 8601 (e.g. 2026-11-26T15:04:05Z)")
            }
            time = date.timeIntervalSince1970
        case nil: throw bad("missing key \"time\"")
        }
        guard let template = object.template, !template.trimmingWhitespace().isEmpty else {
            throw bad("missing or empty string \"template\"")
        }
        guard let raw = object.label else { throw bad("missing string \"label\"") }
        guard let label = Verdict.Label(rawValue: raw.lowercased()) else {
            throw bad("label \"\(raw.prefix(40))\" is not normal or abnormal")
        }
        guard let analysis = object.analysis, !analysis.trimmingWhitespace().isEmpty else {
            throw bad("missing or empty string \"analysis\"")
        }
        return LabelledTemplate(time: time, template: template, label: label, analysis: analysis)
    }
}
