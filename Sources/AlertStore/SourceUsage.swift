/// What one source holds in a segment or in the whole ring: its records and their encoded
/// bytes (record bodies, uncompressed), and the protected part of them (`RecordIndex.isProtected`). The
/// ring's quotas compare these; every stored version counts, as it takes space until its
/// segment goes.
public struct SourceUsage: Sendable, Hashable, Codable {
    public var alerts: Int
    public var bytes: Int
    public var protectedAlerts: Int
    public var protectedBytes: Int

    public init(alerts: Int = 0, bytes: Int = 0, protectedAlerts: Int = 0, protectedBytes: Int = 0) {
        self.alerts = alerts
        self.bytes = bytes
        self.protectedAlerts = protectedAlerts
        self.protectedBytes = protectedBytes
    }

    mutating func add(_ index: RecordIndex, bytes recordBytes: Int) {
        alerts += 1
        bytes += recordBytes
        if index.isProtected {
            protectedAlerts += 1
            protectedBytes += recordBytes
        }
    }

    mutating func add(_ other: SourceUsage) {
        alerts += other.alerts
        bytes += other.bytes
        protectedAlerts += other.protectedAlerts
        protectedBytes += other.protectedBytes
    }

    /// Per-source usage of `records` (index, record body bytes).
    static func of(_ records: some Sequence<(RecordIndex, Int)>) -> [String: SourceUsage] {
        var usage: [String: SourceUsage] = [:]
        for (index, bodyBytes) in records { usage[index.source, default: SourceUsage()].add(index, bytes: bodyBytes) }
        return usage
    }

    /// The sum of per-source usages, per source.
    static func merged(_ parts: some Sequence<[String: SourceUsage]>) -> [String: SourceUsage] {
        var total: [String: SourceUsage] = [:]
        for part in parts {
            for (source, usage) in part { total[source, default: SourceUsage()].add(usage) }
        }
        return total
    }
}
