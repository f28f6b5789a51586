import Control
import RationCore

/// Durable alerts for the control socket: when the daemon has one, ListAlerts, GetAlert and
/// LabelAlert read and write it (alerts survive restarts); the board still serves followers.
public protocol AlertArchive: Sendable {
    func alerts(matching query: AlertQuery) throws -> [Alert]
    func alert(id: AlertID) throws -> Alert?
    /// The labelled alert; nil when no alert has that id.
    func label(id: AlertID, _ label: OperatorLabel) throws -> Alert?
}
