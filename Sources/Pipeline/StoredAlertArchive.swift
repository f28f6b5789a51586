import AlertStore
import Control
import RationCore
import RationDaemon

/// Lists, reads and labels alerts from the durable store, so the control socket answers with
/// every retained alert, including those from before a restart.
public struct StoredAlertArchive: AlertArchive {
    let store: AlertStore

    public init(store: AlertStore) { self.store = store }

    public func alerts(matching query: Control.AlertQuery) throws -> [Alert] {
        try storedAlerts(matching: query).map(\.alert)
    }

    /// The alerts passing `query` (and, optionally, at least as severe as `severity`), newest
    /// first, with their repeat histograms.
    public func storedAlerts(matching query: Control.AlertQuery, severity: Priority? = nil) throws -> [StoredAlert] {
        let limit = query.limit ?? Control.AlertQuery.defaultLimit
        // The store filters on what its index holds; the control query's own rules (verdict
        // words, labels, case-insensitive text) filter the rest, so fetch generously then.
        let refined = query.verdict != nil || query.label != nil || query.text != nil
        let stored = StoreAlertQuery(
            since: query.since.map { EventTime(microsecondsSinceEpoch: $0) },
            until: query.until.map { EventTime(microsecondsSinceEpoch: $0) },
            unit: query.unit, source: query.source.map { SourceID($0) }, severity: severity, minScore: query.minScore,
            limit: refined ? max(limit, 10_000) : limit)
        var paged = stored
        paged.olderThan = query.cursor.map { AlertPosition(lastSeen: $0.key, id: $0.id) }
        let found = try store.queryStored(paged)
        return Array(found.filter { query.matches(AlertRecord($0.alert)) }.prefix(limit))
    }

    public func alert(id: AlertID) throws -> Alert? { try store.alert(id: id) }

    public func label(id: AlertID, _ label: OperatorLabel) throws -> Alert? {
        do { try store.label(id: id, label) } catch .notFound { return nil }
        return try store.alert(id: id)
    }
}
