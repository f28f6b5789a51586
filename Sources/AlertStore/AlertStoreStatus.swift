import RationCore

/// A byte range of a store file that could not be read back, and what was lost with it.
public struct DamagedRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public var path: String
    public var offset: Int
    public var length: Int
    public var reason: String
    /// Alerts known to be in the range (nil when unknown: the index describing it was lost too).
    public var alertsLost: Int?

    public init(path: String, offset: Int, length: Int, reason: String, alertsLost: Int? = nil) {
        self.path = path
        self.offset = offset
        self.length = length
        self.reason = reason
        self.alertsLost = alertsLost
    }

    public var description: String {
        "\(path) bytes \(offset)..<\(offset + length): \(reason)" + (alertsLost.map { " (\($0) alerts)" } ?? "")
    }
}

/// What opening the store found and did.
public struct RecoveryReport: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Bytes cut from the end of the write-ahead segment (a torn, unacknowledged record).
    public var truncatedBytes: Int = 0
    public var truncatedPath: String?
    /// Damaged ranges in sealed and write-ahead segments, skipped so the rest stays readable.
    public var damaged: [DamagedRange] = []
    /// Files left by an interrupted seal or write (temp files, already-sealed write-ahead logs).
    public var removedLeftovers: [String] = []
    /// Segments whose index footer was unreadable and was rebuilt by scanning the blocks.
    public var rebuiltIndexes: [String] = []
    /// Whether the write-ahead segment held damage and was re-sealed from its valid records.
    public var resealed: Bool = false

    public init() {}

    public var isClean: Bool { truncatedBytes == 0 && damaged.isEmpty && rebuiltIndexes.isEmpty }

    public var description: String {
        var parts: [String] = []
        if truncatedBytes > 0 { parts.append("dropped a torn tail of \(truncatedBytes) bytes from \(truncatedPath ?? "?")") }
        for d in damaged { parts.append("skipped \(d)") }
        for r in rebuiltIndexes { parts.append("rebuilt index of \(r)") }
        if !removedLeftovers.isEmpty { parts.append("removed leftovers \(removedLeftovers.joined(separator: ", "))") }
        if resealed { parts.append("re-sealed the damaged write-ahead segment") }
        return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
    }
}

/// A snapshot of the store's state for `rationctl status` and metrics.
public struct AlertStoreStatus: Sendable, Hashable, Codable {
    public var directory: String
    public var bytesUsed: Int
    public var sealedSegments: Int
    public var activeSegmentBytes: Int
    /// Distinct alerts held (latest versions).
    public var alerts: Int
    /// Segments and alerts removed by the ring (size or age cap) since open.
    public var removedSegments: Int
    public var removedAlerts: Int
    /// Alert records removed by the ring since open, per source (an alert updated after it was
    /// stored has a record per version).
    public var removedBySource: [String: Int]
    /// Alerts the quotas carried forward from removed segments since open (`StoreQuota`).
    public var carriedAlerts: Int
    /// What each source holds now (every version), protected part included.
    public var sources: [String: SourceUsage]
    /// Damaged ranges skipped (found at open or while reading) and their total.
    public var corruptRangesSkipped: Int
    public var damaged: [DamagedRange]
    /// Set while writes are refused because the disk is full.
    public var diskFull: String?
    public var lastError: String?
    public var unsyncedRecords: Int
    public var oldest: EventTime?
    public var newest: EventTime?
    /// Alerts with ids below this are gone from the ring (except updated ones that live on in newer segments).
    public var oldestRetainedID: AlertID
    public var nextID: AlertID
    public var readOnly: Bool
}
