import RationCore

/// What the control socket asks of the daemon. The daemon implements it over its live
/// pipeline; tests implement it over fixed data. Throw `ControlError` for expected failures.
public protocol ControlHandler: Sendable {
    func status() async throws -> DaemonStatus
    /// Alerts matching `query` (its `after` cursor included: `AlertQuery.matches`), newest
    /// first by last seen then id, both descending, at most `query.limit ?? AlertQuery.defaultLimit`.
    func alerts(matching query: AlertQuery) async throws -> [Alert]
    /// Alerts as they are raised or updated from now on, unfiltered; the server filters.
    /// The stream must be bounded (drop the oldest when a follower lags).
    func followAlerts() async -> AsyncStream<Alert>
    func alert(id: AlertID) async throws -> Alert
    /// Templates as `TemplateQuery.select` picks them (order, cursor and limit).
    func templates(matching query: TemplateQuery) async throws -> [TemplateRecord]
    /// Labels the alert and the templates it implies; throws `labelTooBroad` (labelling
    /// nothing) when one of those templates is too broad and `force` is false.
    func labelAlert(id: AlertID, label: OperatorLabel, force: Bool) async throws -> (alert: Alert, changes: [LabelChange])
    /// Labels the template (as a pattern); throws `labelTooBroad` when it is too broad and
    /// `force` is false.
    func labelTemplate(id: TemplateID, label: OperatorLabel, force: Bool) async throws -> (template: TemplateRecord, changes: [LabelChange])
    /// Re-reads the configuration; returns what changed, one line per setting.
    func reload() async throws -> [String]
    /// Clears the recoveries `status` reports; returns how many there were.
    func acknowledgeRecoveries() async throws -> Int
}

/// Expected failures of `ControlHandler` methods; each maps to an `io.rationd` varlink error.
public enum ControlError: Error, Sendable, Equatable {
    case alertNotFound(AlertID)
    case templateNotFound(TemplateID)
    case reloadFailed(String)
    case invalidRequest(String)
    /// A template with fewer than `LabelReach.minimumLiteralWords` literal words, labelled
    /// without `force`: it stands for almost any line.
    case labelTooBroad(template: String, literalWords: Int)
    /// The daemon could not do what was asked; the reason names why.
    case internalError(String)
    /// The operator labels file could not be written (`reason` names the call and errno).
    /// The label holds in memory and the file is written again on the next save.
    case labelsNotSaved(path: String, reason: String)

    public var varlinkError: VarlinkError {
        switch self {
        case .alertNotFound(let id): VarlinkError("io.rationd.AlertNotFound", ["id": .unsigned(id.rawValue)])
        case .templateNotFound(let id): VarlinkError("io.rationd.TemplateNotFound", ["id": .unsigned(id.rawValue)])
        case .reloadFailed(let reason): VarlinkError("io.rationd.ReloadFailed", ["reason": .string(reason)])
        case .invalidRequest(let reason): .invalidRequest(reason)
        case let .labelTooBroad(template, words):
            VarlinkError("io.rationd.LabelTooBroad", [
                "template": .string(template), "literalWords": .integer(Int64(words)),
                "reason": .string("template \"\(template)\" has \(words) literal word(s) (fewer than \(LabelReach.minimumLiteralWords)): "
                    + "its label would cover almost any line; label it with force (rationctl label --force) if that is meant"),
            ])
        case .internalError(let reason): VarlinkError("io.rationd.InternalError", ["reason": .string(reason)])
        case let .labelsNotSaved(path, reason):
            VarlinkError("io.rationd.LabelsNotSaved", ["path": .string(path), "reason": .string(reason)])
        }
    }
}
