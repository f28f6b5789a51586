/// What stops the pipeline from starting or running, with the setting, file or source at fault.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    case configuration(key: String, reason: String)
    case state(path: String, reason: String)
    case source(id: String, reason: String)
    case store(reason: String)

    public var description: String {
        switch self {
        case let .configuration(key, reason): "configuration \(key): \(reason)"
        case let .state(path, reason): "\(path): \(reason)"
        case let .source(id, reason): "source \(id): \(reason)"
        case let .store(reason): "alert store: \(reason)"
        }
    }
}
