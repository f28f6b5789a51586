/// Everything that can go wrong in calibration, with the file and line it concerns.
public enum CalibrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// A JSONL input line that cannot be used; `line` counts from 1.
    case badRecord(source: String, line: Int, reason: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): return "invalid configuration: \(reason)"
        case .badRecord(let source, let line, let reason): return "\(source):\(line): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}
