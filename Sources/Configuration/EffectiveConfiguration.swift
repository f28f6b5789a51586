/// The configuration as the daemon reads it, main file and drop-ins merged, each key with the
/// file and line that set it: what `rationd --check-config --show` prints. Keys no file sets
/// take their built-in defaults (rationd.toml(5)).
public enum EffectiveConfiguration {
    /// Validates `path` and its drop-ins like `RationdConfiguration(contentsOf:)`, then renders them.
    public static func render(path: String) throws(ConfigurationError) -> String {
        let document = try RationdConfiguration.document(path)
        _ = try RationdConfiguration(document: document)
        var out = "# Effective configuration: \(document.files.joined(separator: ", "))\n"
        out += "# Keys not listed take their built-in defaults (rationd.toml(5)).\n"
        render(document.values, path: "", header: nil, document: document, into: &out)
        return out
    }

    private static func render(_ table: [String: ConfigValue], path: String, header: String?,
                               document: MergedDocument, into out: inout String) {
        func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        func order(_ key: String) -> (Int, Int, String) {
            let origin = document.firstPosition(of: join(key))
            return (origin.fileIndex, origin.line ?? .max, key)
        }
        let keys = table.keys.sorted { order($0) < order($1) }
        var scalars: [String] = []
        var nested: [String] = []
        for key in keys {
            switch table[key]! {
            case .table: nested.append(key)
            case .array(let items) where !items.isEmpty && items.allSatisfy({ if case .table = $0 { true } else { false } }):
                nested.append(key)
            default: scalars.append(key)
            }
        }
        if let header, !scalars.isEmpty || nested.isEmpty { out += "\n\(header)\n" }
        for key in scalars {
            let origin = document.origin(of: join(key))
            out += "\(key) = \(literal(table[key]!))  # \(origin.file)\(origin.line.map { ":\($0)" } ?? "")\n"
        }
        for key in nested {
            let full = join(key)
            switch table[key]! {
            case .table(let inner):
                render(inner, path: full, header: "[\(full)]", document: document, into: &out)
            case .array(let items):
                for (i, item) in items.enumerated() {
                    guard case .table(let inner) = item else { continue }
                    let origin = document.origin(of: "\(full)[\(i)]")
                    out += "\n[[\(full)]]  # \(origin.file)\(origin.line.map { ":\($0)" } ?? "")\n"
                    render(inner, path: "\(full)[\(i)]", header: nil, document: document, into: &out)
                }
            default: break
            }
        }
    }

    /// A TOML literal for a value.
    static func literal(_ value: ConfigValue) -> String {
        switch value {
        case .string(let s): MinerConfigurationText.quoted(s)
        case .integer(let n): String(n)
        case .float(let d): d.isFinite ? String(d) : (d.isNaN ? "nan" : d > 0 ? "inf" : "-inf")
        case .bool(let b): b ? "true" : "false"
        case .array(let items): "[" + items.map(literal).joined(separator: ", ") + "]"
        case .table(let t): "{ " + t.keys.sorted().map { "\($0) = \(literal(t[$0]!))" }.joined(separator: ", ") + " }"
        case .other(let name): "<\(name)>"
        }
    }
}
