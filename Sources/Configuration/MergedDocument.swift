import Foundation

/// The main configuration file and its drop-ins (`rationd.toml.d/*.toml`, lexical order) as
/// one set of values, with the file and line each key came from.
///
/// Merging follows systemd's drop-in habit: tables merge key by key, a key set again replaces
/// the earlier value, and arrays of tables (`[[sources.files]]`) append, so a drop-in adds a
/// source without repeating the others. Errors found while reading name the file that set
/// the offending key.
struct MergedDocument: Sendable {
    struct Origin: Sendable, Equatable {
        var file: String
        var line: Int?
        /// Position of the file in reading order (main file 0): orders keys across files.
        var fileIndex: Int
    }

    private(set) var values: [String: ConfigValue] = [:]
    /// Key path (`sources.files[1].path`) to where it was set; tables have entries too.
    private(set) var origins: [String: Origin] = [:]
    private(set) var files: [String] = []
    /// Where each key path was first set: listings keep a key where the main file has it
    /// even when a drop-in replaced its value.
    private(set) var firstSet: [String: Origin] = [:]

    init() {}

    /// One document, as `RationdConfiguration(text:file:)` reads it.
    init(text: String, file: String) throws(ConfigurationError) {
        try merge(text: text, file: file)
    }

    /// Lays the document over what was merged so far.
    mutating func merge(text: String, file: String) throws(ConfigurationError) {
        let parsed = try ConfigValue.parse(text, file: file)
        let locator = KeyLocator(text: text)
        let index = files.count
        files.append(file)
        func origin(_ path: String) -> Origin { Origin(file: file, line: locator.line(of: path), fileIndex: index) }
        Self.merge(parsed, into: &values, documentPrefix: "", mergedPrefix: "", origins: &origins, origin: origin)
        for (path, origin) in origins where firstSet[path] == nil { firstSet[path] = origin }
    }

    private static func merge(_ overlay: [String: ConfigValue], into base: inout [String: ConfigValue],
                              documentPrefix: String, mergedPrefix: String, origins: inout [String: Origin],
                              origin: (String) -> Origin) {
        func join(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
        for key in overlay.keys.sorted() {
            let value = overlay[key]!
            let documentPath = join(documentPrefix, key)
            let mergedPath = join(mergedPrefix, key)
            switch (base[key], value) {
            case (.table(var existing), .table(let added)):
                if origins[mergedPath] == nil { origins[mergedPath] = origin(documentPath) }
                merge(added, into: &existing, documentPrefix: documentPath, mergedPrefix: mergedPath,
                      origins: &origins, origin: origin)
                base[key] = .table(existing)
            case (.array(let existing), .array(let added)) where isTableArray(existing) && isTableArray(added):
                record(value, documentPath: documentPath, mergedPath: mergedPath, offset: existing.count,
                       origins: &origins, origin: origin)
                base[key] = .array(existing + added)
            default:
                origins = origins.filter { !$0.key.hasPrefix(mergedPath + ".") && !$0.key.hasPrefix(mergedPath + "[") }
                origins[mergedPath] = origin(documentPath)
                record(value, documentPath: documentPath, mergedPath: mergedPath, offset: 0, origins: &origins, origin: origin)
                base[key] = value
            }
        }
    }

    /// Origins of everything inside `value` (array elements from `offset` in the merged array).
    private static func record(_ value: ConfigValue, documentPath: String, mergedPath: String, offset: Int,
                               origins: inout [String: Origin], origin: (String) -> Origin) {
        switch value {
        case .table(let table):
            for (key, inner) in table {
                let d = "\(documentPath).\(key)", m = "\(mergedPath).\(key)"
                origins[m] = origin(d)
                record(inner, documentPath: d, mergedPath: m, offset: 0, origins: &origins, origin: origin)
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                let d = "\(documentPath)[\(i)]", m = "\(mergedPath)[\(offset + i)]"
                origins[m] = origin(d)
                record(item, documentPath: d, mergedPath: m, offset: 0, origins: &origins, origin: origin)
            }
        default:
            break
        }
    }

    private static func isTableArray(_ items: [ConfigValue]) -> Bool {
        !items.isEmpty && items.allSatisfy { if case .table = $0 { true } else { false } }
    }

    /// Where `path` was set, or the nearest enclosing table that was; else the main file.
    func origin(of path: String) -> Origin {
        var candidate = path
        while true {
            if let origin = origins[candidate] { return origin }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else {
                return Origin(file: files.first ?? "<config>", line: nil, fileIndex: 0)
            }
            candidate = String(candidate[..<cut])
        }
    }

    /// Where `path` (or its nearest enclosing table) was first set, for ordering listings.
    func firstPosition(of path: String) -> Origin {
        var candidate = path
        while true {
            if let origin = firstSet[candidate] { return origin }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { return origin(of: path) }
            candidate = String(candidate[..<cut])
        }
    }

    /// The drop-in files of `path`: `path.d/*.toml` in lexical (byte) order.
    static func dropIns(of path: String) -> [String] {
        let directory = path + ".d"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { "\(directory)/\($0)" }
    }
}
