import RationCore

/// One setting that differs between two configurations, for the reload log line.
public struct ConfigurationChange: Sendable, Hashable, CustomStringConvertible {
    /// The Swift property path, e.g. `reasoning.maxCallsPerMinute`.
    public var key: String
    public var old: String
    public var new: String

    public var description: String { "\(key): \(old) -> \(new)" }
}

extension RationdConfiguration {
    /// Settings that differ from `old`, in a stable order. Walks the typed values by reflection,
    /// so a new setting is covered without being listed here.
    public func changes(from old: RationdConfiguration) -> [ConfigurationChange] {
        let before = Self.flatten(old, prefix: "")
        let after = Self.flatten(self, prefix: "")
        var result: [ConfigurationChange] = []
        for key in Set(before.keys).union(after.keys).sorted() where before[key] != after[key] {
            result.append(ConfigurationChange(key: key, old: before[key] ?? "(none)", new: after[key] ?? "(none)"))
        }
        return result
    }

    private static func flatten(_ value: Any, prefix: String) -> [String: String] {
        if let d = value as? Duration { return [prefix: DurationText.format(d)] }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct, .class:
            var result: [String: String] = [:]
            for child in mirror.children {
                guard let label = child.label else { continue }
                result.merge(flatten(child.value, prefix: prefix.isEmpty ? label : "\(prefix).\(label)")) { a, _ in a }
            }
            return result
        case .collection:
            let items = mirror.children.map(\.value)
            if items.allSatisfy({ Mirror(reflecting: $0).displayStyle != .struct }) {
                return [prefix: "[" + items.map { "\($0)" }.joined(separator: ", ") + "]"]
            }
            var result: [String: String] = [:]
            for (i, item) in items.enumerated() { result.merge(flatten(item, prefix: "\(prefix)[\(i)]")) { a, _ in a } }
            return result
        case .optional:
            if let child = mirror.children.first { return flatten(child.value, prefix: prefix) }
            return [prefix: "(none)"]
        default:
            return [prefix: "\(value)"]
        }
    }
}
