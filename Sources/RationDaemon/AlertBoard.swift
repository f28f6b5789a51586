import Control
import NIOConcurrencyHelpers
import RationCore

/// The most recent alerts in memory, and the followers waiting for new ones. The pipeline
/// publishes every new or updated alert here; the control socket lists and follows them.
/// Bounded: at most `capacity` alerts, and each follower buffers at most `followerBuffer`
/// (a lagging follower loses the oldest, never slows the pipeline).
public final class AlertBoard: Sendable {
    private struct State {
        var alerts: [AlertID: Alert] = [:]
        var order: [AlertID] = []
        var followers: [Int: AsyncStream<Alert>.Continuation] = [:]
        var nextFollower = 0
        var published = 0
        var last: Alert?
    }

    public let capacity: Int
    public let followerBuffer: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = 10_000, followerBuffer: Int = 256) {
        self.capacity = capacity
        self.followerBuffer = followerBuffer
    }

    /// Adds or replaces an alert (same id: an update such as a new count or verdict).
    public func publish(_ alert: Alert) {
        let followers = state.withLockedValue { s -> [AsyncStream<Alert>.Continuation] in
            if s.alerts.updateValue(alert, forKey: alert.id) == nil {
                s.order.append(alert.id)
                if s.order.count > capacity {
                    let evicted = s.order.removeFirst()
                    s.alerts[evicted] = nil
                }
            }
            s.published += 1
            s.last = alert
            return Array(s.followers.values)
        }
        for f in followers { f.yield(alert) }
    }

    public func alert(id: AlertID) -> Alert? { state.withLockedValue { $0.alerts[id] } }

    public func update(id: AlertID, _ body: (inout Alert) -> Void) -> Alert? {
        let updated = state.withLockedValue { s -> Alert? in
            guard var a = s.alerts[id] else { return nil }
            body(&a)
            s.alerts[id] = a
            return a
        }
        if let updated { publish(updated) }
        return updated
    }

    /// Matching alerts, most recently seen first (ties: higher id first, the order
    /// `PageCursor` pages by), at most `query.limit`.
    public func alerts(matching query: AlertQuery) -> [Alert] {
        let all = state.withLockedValue { s in s.order.compactMap { s.alerts[$0] } }
        let limit = query.limit ?? AlertQuery.defaultLimit
        return Array(all.filter { query.matches(AlertRecord($0)) }
            .sorted { ($0.lastSeen.microsecondsSinceEpoch, $0.id.rawValue) > ($1.lastSeen.microsecondsSinceEpoch, $1.id.rawValue) }
            .prefix(limit))
    }

    public func follow() -> AsyncStream<Alert> {
        let (stream, continuation) = AsyncStream.makeStream(of: Alert.self, bufferingPolicy: .bufferingNewest(followerBuffer))
        let id = state.withLockedValue { s -> Int in
            s.nextFollower += 1
            s.followers[s.nextFollower] = continuation
            return s.nextFollower
        }
        continuation.onTermination = { [state] _ in
            state.withLockedValue { _ = $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every follower's stream (shutdown).
    public func finish() {
        let followers = state.withLockedValue { s in Array(s.followers.values) }
        for f in followers { f.finish() }
    }

    public var count: Int { state.withLockedValue { $0.order.count } }
    public var followerCount: Int { state.withLockedValue { $0.followers.count } }
    public var last: Alert? { state.withLockedValue { $0.last } }
}
