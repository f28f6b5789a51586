import Foundation
import RationCore

/// One input line of `rationlab reward`: `{"completion": …, "label": "normal"|"abnormal",
/// "reference": …}`; `reference` may be absent or null.
public struct RewardRecord: Sendable, Hashable, Codable {
    public var completion: String
    public var label: Verdict.Label
    public var reference: String?

    public init(completion: String, label: Verdict.Label, reference: String?) {
        self.completion = completion
        self.label = label
        self.reference = reference
    }

    /// Decodes one JSONL line; errors name the source and line and say what is wrong.
    public static func decode(_ line: String, source: String, lineNumber: Int) throws(CalibrationError) -> RewardRecord {
        struct Loose: Decodable { var completion: String?; var label: String?; var reference: String? }
        let loose: Loose
        do {
            loose = try JSONDecoder().decode(Loose.self, from: Data(line.utf8))
        } catch {
            throw .badRecord(source: source, line: lineNumber, reason: "not a JSON object with string fields completion, label, reference")
        }
        guard let completion = loose.completion else {
            throw .badRecord(source: source, line: lineNumber, reason: "missing key \"completion\"")
        }
        guard let raw = loose.label else { throw .badRecord(source: source, line: lineNumber, reason: "missing key \"label\"") }
        guard let label = Verdict.Label(rawValue: raw.lowercased()) else {
            throw .badRecord(source: source, line: lineNumber, reason: "label \"\(raw.prefix(40))\" is not normal or abnormal")
        }
        return RewardRecord(completion: completion, label: label, reference: loose.reference)
    }
}
