import RationCore

/// What the control socket asks of the daemon. The daemon implements it over its live
/// pipeline; tests implement it over fixed data. Throw `ControlError` for expected failures.
public protocol ControlHandler: Sendable {
    func status() async throws -> DaemonStatus
    /// Alerts matching `query`, newest first, at most `query.limit ?? AlertQuery.defaultLimit`.
    func alerts(matching query: AlertQuery) async throws -> [Alert]
    /// Alerts as they are raised or updated from now on, unfiltered; the server filters.
    /// The stream must be bounded (drop the oldest when a follower lags).
    func followAlerts() async -> AsyncStream<Alert>
    func alert(id: AlertID) async throws -> Alert
    func templates(matching query: TemplateQuery) async throws -> [TemplateRecord]
    func labelAlert(id: AlertID, label: OperatorLabel) async throws -> Alert
    func labelTemplate(id: TemplateID, label: OperatorLabel) async throws -> TemplateRecord
    /// Re-reads the configuration; returns what changed, one line per setting.
    func reload() async throws -> [String]
}

/// Expected failures of `ControlHandler` methods; each maps to an `io.rationd` varlink error.
public enum ControlError: Error, Sendable, Equatable {
    case alertNotFound(AlertID)
    case templateNotFound(TemplateID)
    case reloadFailed(String)
    case invalidRequest(String)
    /// The daemon could not do what was asked (e.g. write a label); the reason names why.
    case internalError(String)

    public var varlinkError: VarlinkError {
        switch self {
        case .alertNotFound(let id): VarlinkError("io.rationd.AlertNotFound", ["id": .unsigned(id.rawValue)])
        case .templateNotFound(let id): VarlinkError("io.rationd.TemplateNotFound", ["id": .unsigned(id.rawValue)])
        case .reloadFailed(let reason): VarlinkError("io.rationd.ReloadFailed", ["reason": .string(reason)])
        case .invalidRequest(let reason): .invalidRequest(reason)
        case .internalError(let reason): VarlinkError("io.rationd.InternalError", ["reason": .string(reason)])
        }
    }
}
