import RationCore

/// Reads one TOML table into typed values: every read names the key it consumed, and
/// `finish()` rejects whatever key was not read, so a typo never silently becomes a default.
final class TableReader {
    let path: String
    private let values: [String: ConfigValue]
    private let context: DocumentContext
    private var consumed: Set<String> = []

    init(path: String, values: [String: ConfigValue], context: DocumentContext) {
        self.path = path
        self.values = values
        self.context = context
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String?, _ message: String) -> ConfigurationError {
        let full = key.map(keyPath) ?? path
        let origin = context.document.origin(of: full)
        return ConfigurationError(file: origin.file, line: origin.line, key: full.isEmpty ? nil : full, message: message)
    }

    private func raw(_ key: String) -> ConfigValue? {
        consumed.insert(key)
        return values[key]
    }

    private func mismatch(_ key: String, _ expected: String, _ got: ConfigValue) -> ConfigurationError {
        error(key, "expected \(expected), got \(got.typeName)")
    }

    func string(_ key: String, default fallback: String) throws(ConfigurationError) -> String {
        guard let value = raw(key) else { return fallback }
        guard case .string(let s) = value else { throw mismatch(key, "a string", value) }
        return s
    }

    /// An empty string means "not set".
    func optionalString(_ key: String) throws(ConfigurationError) -> String? {
        let s = try string(key, default: "")
        return s.isEmpty ? nil : s
    }

    func bool(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let value = raw(key) else { return fallback }
        guard case .bool(let b) = value else { throw mismatch(key, "true or false", value) }
        return b
    }

    func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = raw(key) else { return fallback }
        guard case .integer(let n) = value else { throw mismatch(key, "an integer", value) }
        guard range.contains(n) else {
            throw error(key, "\(n) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double {
        guard let value = raw(key) else { return fallback }
        let d: Double
        switch value {
        case .float(let f): d = f
        case .integer(let n): d = Double(n)
        default: throw mismatch(key, "a number", value)
        }
        guard range.contains(d), d.isFinite else {
            throw error(key, "\(d) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return d
    }

    func duration(_ key: String, default fallback: Duration, minimum: Duration = .zero) throws(ConfigurationError) -> Duration {
        guard let value = raw(key) else { return fallback }
        guard case .string(let s) = value else { throw mismatch(key, "a duration string like \"30s\"", value) }
        guard let d = DurationText.parse(s) else {
            throw error(key, "\"\(s)\" is not a duration (a number with ms, s, m, h or d, e.g. \"30s\")")
        }
        guard d >= minimum else { throw error(key, "\"\(s)\" is below the minimum \(DurationText.format(minimum))") }
        return d
    }

    func byteSize(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let value = raw(key) else { return fallback }
        let n: Int
        switch value {
        case .integer(let i): n = i
        case .string(let s):
            guard let parsed = ByteSizeText.parse(s) else {
                throw error(key, "\"\(s)\" is not a size (bytes, or a number with KiB, MiB or GiB)")
            }
            n = parsed
        default: throw mismatch(key, "a size like \"64MiB\"", value)
        }
        guard range.contains(n) else {
            throw error(key, "\(ByteSizeText.format(n)) is out of range \(ByteSizeText.format(range.lowerBound))...\(ByteSizeText.format(range.upperBound))")
        }
        return n
    }

    func priority(_ key: String, default fallback: Priority) throws(ConfigurationError) -> Priority {
        guard let value = raw(key) else { return fallback }
        let text: String
        switch value {
        case .string(let s): text = s
        case .integer(let n): text = String(n)
        default: throw mismatch(key, "a priority name or 0...7", value)
        }
        guard let p = Priority(parsing: text) else {
            throw error(key, "\"\(text)\" is not a priority (emerg, alert, crit, err, warning, notice, info, debug or 0...7)")
        }
        return p
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E) throws(ConfigurationError) -> E
    where E.RawValue == String {
        let s = try string(key, default: fallback.rawValue)
        guard let e = E(rawValue: s) else {
            throw error(key, "\"\(s)\" is not one of \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return e
    }

    func strings(_ key: String, default fallback: [String]) throws(ConfigurationError) -> [String] {
        guard let value = raw(key) else { return fallback }
        guard case .array(let items) = value else { throw mismatch(key, "an array of strings", value) }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else { throw error("\(key)[\(i)]", "expected a string, got \(item.typeName)") }
            result.append(s)
        }
        return result
    }

    /// A sub-table; absent reads as an empty table so every key takes its default.
    func table(_ key: String) throws(ConfigurationError) -> TableReader {
        guard let value = raw(key) else { return TableReader(path: keyPath(key), values: [:], context: context) }
        guard case .table(let t) = value else { throw mismatch(key, "a table [\(keyPath(key))]", value) }
        return TableReader(path: keyPath(key), values: t, context: context)
    }

    /// An array of tables (`[[key]]`); nil when the key is absent, so callers can apply a default list.
    func tables(_ key: String) throws(ConfigurationError) -> [TableReader]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, "an array of tables [[\(keyPath(key))]]", value) }
        var result: [TableReader] = []
        for (i, item) in items.enumerated() {
            guard case .table(let t) = item else { throw error("\(key)[\(i)]", "expected a table, got \(item.typeName)") }
            result.append(TableReader(path: "\(keyPath(key))[\(i)]", values: t, context: context))
        }
        return result
    }

    /// Rejects keys that no read consumed, first in file order.
    func finish() throws(ConfigurationError) {
        let unknown = values.keys.filter { !consumed.contains($0) }
        guard !unknown.isEmpty else { return }
        func position(_ key: String) -> (Int, Int, String) {
            let origin = context.document.origin(of: keyPath(key))
            return (origin.fileIndex, origin.line ?? .max, key)
        }
        let first = unknown.min { position($0) < position($1) }!
        let known = consumed.sorted().joined(separator: ", ")
        throw error(first, "unknown key (known keys here: \(known))")
    }
}

/// What every reader of one (merged) document shares.
struct DocumentContext {
    var document: MergedDocument
}
