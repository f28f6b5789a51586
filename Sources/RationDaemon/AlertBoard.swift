import Control
import Foundation
import NIOConcurrencyHelpers
import RationCore

/// The most recent alerts in memory, and the followers waiting for new ones. The pipeline
/// publishes every new or updated alert here; the control socket lists and follows them.
/// Bounded: at most `capacity` alerts and `maxBytes` of them (`bytes(of:)`), the first
/// published going first, in O(1); each follower buffers at most `followerBuffer` (a lagging
/// follower loses the oldest, never slows the pipeline).
public final class AlertBoard: Sendable {
    private struct State {
        var alerts: LeastRecentlyUsedMap<AlertID, Alert>
        var followers: [Int: AsyncStream<Alert>.Continuation] = [:]
        var nextFollower = 0
        var published = 0
        var last: Alert?
    }

    public let capacity: Int
    public let maxBytes: Int
    public let followerBuffer: Int
    private let state: NIOLockedValueBox<State>

    public static let defaultCapacity = 1_000
    public static let defaultMaxBytes = 16 << 20

    public init(capacity: Int = defaultCapacity, maxBytes: Int = defaultMaxBytes, followerBuffer: Int = 256) {
        self.capacity = capacity
        self.maxBytes = maxBytes
        self.followerBuffer = followerBuffer
        state = NIOLockedValueBox(State(alerts: LeastRecentlyUsedMap(capacity: capacity, maxCost: maxBytes)))
    }

    /// What an alert holds in memory, taken as the size of its JSON form (its messages,
    /// template texts and rationale dominate both) plus the board's slot.
    public static func bytes(of alert: Alert) -> Int {
        let encoder = JSONEncoder()
        return ((try? encoder.encode(alert).count) ?? 0) + 256
    }

    /// Adds or replaces an alert (same id: an update such as a new count or verdict).
    public func publish(_ alert: Alert) {
        let bytes = Self.bytes(of: alert)
        let followers = state.withLockedValue { s -> [AsyncStream<Alert>.Continuation] in
            s.alerts.insert(alert, for: alert.id, cost: bytes, refresh: false)
            s.published += 1
            s.last = alert
            return Array(s.followers.values)
        }
        for f in followers { f.yield(alert) }
    }

    public func alert(id: AlertID) -> Alert? { state.withLockedValue { $0.alerts.peek(id) } }

    public func update(id: AlertID, _ body: (inout Alert) -> Void) -> Alert? {
        let updated = state.withLockedValue { s -> Alert? in
            guard var a = s.alerts.peek(id) else { return nil }
            body(&a)
            return a
        }
        if let updated { publish(updated) }
        return updated
    }

    /// Matching alerts, most recently seen first (ties: higher id first, the order
    /// `PageCursor` pages by), at most `query.limit`.
    public func alerts(matching query: AlertQuery) -> [Alert] {
        let all = state.withLockedValue { s in Array(s.alerts.values) }
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

    public var count: Int { state.withLockedValue { $0.alerts.count } }
    /// Bytes of the alerts kept, as `bytes(of:)` counts them.
    public var bytes: Int { state.withLockedValue { $0.alerts.totalCost } }
    public var followerCount: Int { state.withLockedValue { $0.followers.count } }
    public var last: Alert? { state.withLockedValue { $0.last } }
}
