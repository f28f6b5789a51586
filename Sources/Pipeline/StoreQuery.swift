import AlertStore

/// The store's own query type (its module and its main class share the name `AlertStore`,
/// and the control protocol has an `AlertQuery` of its own).
typealias StoreAlertQuery = AlertQuery
