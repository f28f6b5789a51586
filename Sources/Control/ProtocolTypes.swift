import RationCore

/// Parameters and replies of the `io.rationd` methods. Field names and optionality match the
/// interface description in `RationdInterface.description`.

/// `ListAlerts` filters; every field is optional and they combine with AND.
public struct AlertQuery: Sendable, Hashable, Codable, VarlinkParameters {
    /// Alerts last seen at or after this time (µs since the epoch).
    public var since: Int64?
    /// Alerts first seen at or before this time (µs since the epoch).
    public var until: Int64?
    /// A systemd unit that appears in the window.
    public var unit: String?
    /// The source name (`journal`, `files.var-log`).
    public var source: String?
    /// `abnormal`, `normal` (the effective label), `unknown` (no label), or `skipped` (reasoning skipped).
    public var verdict: String?
    public var minScore: Double?
    /// Operator label: `abnormal`, `normal`, or `none` for alerts no operator labelled.
    public var label: String?
    /// A substring of any event message or template text (case-insensitive).
    public var text: String?
    /// Most recent N alerts (default 100, at most `ListLimit.maximum` per call).
    public var limit: Int?
    /// Continue after this cursor (the `next` of the previous page).
    public var after: String?

    public static let fieldNames: Set<String> = ["since", "until", "unit", "source", "verdict", "minScore", "label", "text", "limit", "after"]
    public static let verdictValues = ["abnormal", "normal", "unknown", "skipped"]
    public static let labelValues = ["abnormal", "normal", "none"]
    public static let defaultLimit = 100

    public init(since: Int64? = nil, until: Int64? = nil, unit: String? = nil, source: String? = nil,
                verdict: String? = nil, minScore: Double? = nil, label: String? = nil, text: String? = nil,
                limit: Int? = nil, after: String? = nil) {
        self.after = after
        self.since = since
        self.until = until
        self.unit = unit
        self.source = source
        self.verdict = verdict
        self.minScore = minScore
        self.label = label
        self.text = text
        self.limit = limit
    }

    public func validate() throws(VarlinkError) {
        if let v = verdict, !Self.verdictValues.contains(v) { throw .invalidParameter("verdict") }
        if let l = label, !Self.labelValues.contains(l) { throw .invalidParameter("label") }
        if let l = limit, l < 1 { throw .invalidParameter("limit") }
        if let s = minScore, !s.isFinite { throw .invalidParameter("minScore") }
        if let a = after, PageCursor(a) == nil { throw .invalidParameter("after") }
    }

    /// The parsed `after`; alerts are ordered by (last seen, id), newest first.
    public var cursor: PageCursor? { after.flatMap(PageCursor.init) }

    /// Where a page ending at this alert ends.
    public static func cursor(of a: AlertRecord) -> PageCursor { PageCursor(key: a.lastSeen, id: a.id) }

    /// Whether an alert passes every filter (the limit is applied by the caller).
    public func matches(_ a: AlertRecord) -> Bool {
        if let cursor, !cursor.precedes(key: a.lastSeen, id: a.id) { return false }
        if let since, a.lastSeen < since { return false }
        if let until, a.firstSeen > until { return false }
        if let source, a.source != source { return false }
        if let unit, !(a.events.contains { $0.unit == unit } || a.sessionKey == unit) { return false }
        if let minScore, a.score < minScore { return false }
        if let verdict {
            switch verdict {
            case "skipped": if a.verdict.status != "skipped" { return false }
            case "unknown": if a.effectiveLabel != nil { return false }
            default: if a.effectiveLabel != verdict { return false }
            }
        }
        if let label {
            if label == "none" { if a.operatorLabel != nil { return false } }
            else if a.operatorLabel?.label != label { return false }
        }
        if let text, !text.isEmpty {
            let needle = text.lowercased()
            let hit = a.events.contains { $0.message.lowercased().contains(needle) }
                || a.templates.contains { $0.text.lowercased().contains(needle) }
            if !hit { return false }
        }
        return true
    }
}

public struct GetAlertParameters: Sendable, Hashable, Codable, VarlinkParameters {
    public var id: UInt64
    public static let fieldNames: Set<String> = ["id"]
    public init(id: UInt64) { self.id = id }
}

public struct TemplateQuery: Sendable, Hashable, Codable, VarlinkParameters {
    /// Most frequent N templates (default 20, at most `ListLimit.maximum` per call).
    public var limit: Int?
    /// Only templates first seen at or after this time (µs since the epoch).
    public var newSince: Int64?
    /// Continue after this cursor (the `next` of the previous page).
    public var after: String?
    public static let fieldNames: Set<String> = ["limit", "newSince", "after"]
    public static let defaultLimit = 20
    public init(limit: Int? = nil, newSince: Int64? = nil, after: String? = nil) {
        self.limit = limit
        self.newSince = newSince
        self.after = after
    }
}

public struct LabelParameters: Sendable, Hashable, Codable, VarlinkParameters {
    public var id: UInt64
    /// `normal` or `abnormal`.
    public var label: String
    public var note: String?
    /// Label templates with fewer than `LabelReach.minimumLiteralWords` literal words too
    /// (refused otherwise: they stand for almost any line).
    public var force: Bool?
    public static let fieldNames: Set<String> = ["id", "label", "note", "force"]
    public init(id: UInt64, label: String, note: String? = nil, force: Bool? = nil) {
        self.id = id
        self.label = label
        self.note = note
        self.force = force
    }
}

/// One template's operator label before and after a `LabelAlert` or `LabelTemplate` call.
public struct LabelChange: Sendable, Hashable, Codable {
    /// The template text the label is kept under.
    public var template: String
    /// `normal` or `abnormal`; nil when the template had no label.
    public var oldLabel: String?
    /// `normal` or `abnormal`; nil when the label was withdrawn.
    public var newLabel: String?
    /// `exact` (that text only: labels an alert implies) or `pattern` (`<*>` matches any run of
    /// characters: labels set on a template); nil when withdrawn.
    public var match: String?

    public init(template: String, oldLabel: String?, newLabel: String?, match: String?) {
        self.template = template
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        self.match = match
    }
}

public struct GetInterfaceDescriptionParameters: Sendable, Hashable, Codable, VarlinkParameters {
    public var interface: String
    public static let fieldNames: Set<String> = ["interface"]
}

public struct NoParameters: Sendable, Hashable, Codable, VarlinkParameters {
    public static let fieldNames: Set<String> = []
    public init() {}
}

/// One mined template as `ListTemplates` reports it.
public struct TemplateRecord: Sendable, Hashable, Codable {
    public var id: UInt64
    public var text: String
    public var count: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// The cached model verdict, if any.
    public var verdict: String?
    public var operatorLabel: AlertRecord.Label?

    public init(id: UInt64, text: String, count: Int, firstSeen: Int64, lastSeen: Int64,
                verdict: String? = nil, operatorLabel: AlertRecord.Label? = nil) {
        self.id = id
        self.text = text
        self.count = count
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.verdict = verdict
        self.operatorLabel = operatorLabel
    }
}

/// `GetStatus` reply.
public struct DaemonStatus: Sendable, Hashable, Codable {
    public struct Source: Sendable, Hashable, Codable {
        public var name: String
        /// `journal` or `file`.
        public var kind: String
        public var records: Int
        public var lagSeconds: Double?
        /// The durable checkpoint (journal cursor, or file and offset).
        public var checkpoint: String?
        public var errors: Int
        /// Lines that joined the source's overflow template (new-template budget spent).
        public var overflowLines: Int
        public init(name: String, kind: String, records: Int, lagSeconds: Double? = nil, checkpoint: String? = nil, errors: Int = 0,
                    overflowLines: Int = 0) {
            self.name = name
            self.kind = kind
            self.records = records
            self.lagSeconds = lagSeconds
            self.checkpoint = checkpoint
            self.errors = errors
            self.overflowLines = overflowLines
        }
    }

    public struct Queue: Sendable, Hashable, Codable {
        public var name: String
        public var depth: Int
        public var capacity: Int
        public init(name: String, depth: Int, capacity: Int) {
            self.name = name
            self.depth = depth
            self.capacity = capacity
        }
    }

    public struct Miner: Sendable, Hashable, Codable {
        public var templates: Int
        public var newTemplatesLastHour: Int
        /// Templates merged into a more general one since start.
        public var merged: Int
        /// Lines of all sources that joined an overflow template.
        public var overflowLines: Int
        /// Why the miner and triage started empty (no snapshot, unusable snapshot); nil when restored.
        public var freshStart: String?
        public init(templates: Int, newTemplatesLastHour: Int, merged: Int = 0, overflowLines: Int = 0, freshStart: String? = nil) {
            self.templates = templates
            self.newTemplatesLastHour = newTemplatesLastHour
            self.merged = merged
            self.overflowLines = overflowLines
            self.freshStart = freshStart
        }
    }

    public struct LLM: Sendable, Hashable, Codable {
        public var calls: Int
        public var cacheHits: Int
        public var failures: Int
        public var skipped: Int
        public var budgetPerMinute: Int
        public var budgetLeft: Int
        public var demo: Bool
        public init(calls: Int, cacheHits: Int, failures: Int, skipped: Int, budgetPerMinute: Int, budgetLeft: Int, demo: Bool) {
            self.calls = calls
            self.cacheHits = cacheHits
            self.failures = failures
            self.skipped = skipped
            self.budgetPerMinute = budgetPerMinute
            self.budgetLeft = budgetLeft
            self.demo = demo
        }
    }

    public struct Store: Sendable, Hashable, Codable {
        public var alerts: Int
        public var bytes: Int
        public var capacityBytes: Int
        public var oldestAlert: Int64?
        /// Alert records the full ring removed since the daemon started, per source.
        public var removedBySource: [String: Int]?
        /// Alerts the ring's quotas carried forward instead of removing, since the daemon started.
        public var carriedAlerts: Int?
        /// Protected records (abnormal verdict, operator label) held now.
        public var protectedAlerts: Int?
        public init(alerts: Int, bytes: Int, capacityBytes: Int, oldestAlert: Int64? = nil,
                    removedBySource: [String: Int]? = nil, carriedAlerts: Int? = nil, protectedAlerts: Int? = nil) {
            self.alerts = alerts
            self.bytes = bytes
            self.capacityBytes = capacityBytes
            self.oldestAlert = oldestAlert
            self.removedBySource = removedBySource
            self.carriedAlerts = carriedAlerts
            self.protectedAlerts = protectedAlerts
        }
    }

    /// The statistical pre-filter's settings in force and its counters.
    public struct Triage: Sendable, Hashable, Codable {
        /// The configured 0…1 value (`triage.threshold`).
        public var threshold: Double
        public var warmupWindows: Int
        public var learnedWindows: Int
        public var assessed: Int
        public var escalated: Int
        public init(threshold: Double, warmupWindows: Int, learnedWindows: Int, assessed: Int, escalated: Int) {
            self.threshold = threshold
            self.warmupWindows = warmupWindows
            self.learnedWindows = learnedWindows
            self.assessed = assessed
            self.escalated = escalated
        }
    }

    public var version: String
    public var uptimeSeconds: Double
    public var sources: [Source]
    public var miner: Miner
    public var queues: [Queue]
    public var llm: LLM
    public var store: Store
    public var lastAlert: UInt64?
    public var lastAlertTime: Int64?
    public var triage: Triage?
    /// Settings changed in the configuration file that the running daemon applies only after a restart.
    public var restartNeeded: [String]?
    /// Damaged state files set aside since start, until acknowledged; nil when none.
    public var recoveries: [Recovery]?
    /// Recoveries beyond the kept ones, dropped unseen (oldest first); nil when none.
    public var recoveriesDropped: Int?

    public init(version: String, uptimeSeconds: Double, sources: [Source], miner: Miner, queues: [Queue], llm: LLM,
                store: Store, lastAlert: UInt64? = nil, lastAlertTime: Int64? = nil, triage: Triage? = nil,
                restartNeeded: [String]? = nil, recoveries: [Recovery]? = nil, recoveriesDropped: Int? = nil) {
        self.recoveries = recoveries
        self.recoveriesDropped = recoveriesDropped
        self.triage = triage
        self.restartNeeded = restartNeeded
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.sources = sources
        self.miner = miner
        self.queues = queues
        self.llm = llm
        self.store = store
        self.lastAlert = lastAlert
        self.lastAlertTime = lastAlertTime
    }
}

/// `org.varlink.service.GetInfo` reply.
public struct ServiceInfo: Sendable, Hashable, Codable {
    public var vendor: String
    public var product: String
    public var version: String
    public var url: String
    public var interfaces: [String]
}

/// Typed parameters that reject fields they do not know.
public protocol VarlinkParameters: Codable {
    static var fieldNames: Set<String> { get }
}

/// `LabelAlert` reply: the labelled alert and the template labels it changed.
public struct LabelAlertReply: Sendable, Hashable, Codable {
    public var alert: AlertRecord
    public var changes: [LabelChange]
    public init(alert: AlertRecord, changes: [LabelChange]) {
        self.alert = alert
        self.changes = changes
    }
}

/// `LabelTemplate` reply: the labelled template and the labels it changed.
public struct LabelTemplateReply: Sendable, Hashable, Codable {
    public var template: TemplateRecord
    public var changes: [LabelChange]
    public init(template: TemplateRecord, changes: [LabelChange]) {
        self.template = template
        self.changes = changes
    }
}
