import TOMLKit

/// A parsed TOML value as plain Swift data, detached from the parser's storage.
/// Tables keep their keys so unknown ones can be reported.
indirect enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times: rationd has no key that takes one; kept only to name the type in errors.
    case other(String)

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .other(let name): "a \(name)"
        }
    }

    /// Parses TOML text; syntax errors keep the parser's line.
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> [String: ConfigValue] {
        if let problem = TOMLPreflight.problem(in: text) {
            throw ConfigurationError(file: file, line: problem.line, message: "TOML syntax: \(problem.message)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, line: error.source.begin.line, message: "TOML syntax: \(error.description)")
        } catch {
            throw ConfigurationError(file: file, message: "TOML syntax: \(error)")
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for (key, value) in table {
            result[key] = convert(value.tomlValue)
        }
        return result
    }

    private static func convert(_ value: TOMLValue) -> ConfigValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .array: return .array((value.array ?? TOMLArray()).map { convert($0.tomlValue) })
        case .table: return .table(value.table.map(convert) ?? [:])
        case .date: return .other("date")
        case .time: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }
}
