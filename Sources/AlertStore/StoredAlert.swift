import RationCore

/// The stored form of an alert: the alert, the store schema it was written with, and the
/// occurrence histogram of its aggregated repeats.
public struct StoredAlert: Sendable, Hashable, Codable {
    /// Store schema; readers refuse records newer than `AlertStore.schemaVersion`.
    public var schema: Int
    public var alert: Alert
    public var histogram: OccurrenceHistogram

    public init(alert: Alert, histogram: OccurrenceHistogram? = nil) {
        self.schema = AlertStore.schemaVersion
        self.alert = alert
        self.histogram = histogram ?? OccurrenceHistogram(start: alert.firstSeen, count: alert.count)
    }

    /// Most severe event priority in the window (nil: no event carried one).
    public var priority: Priority? {
        alert.window.events.compactMap(\.priority).min()
    }

    /// Distinct units of the window's events, sorted.
    public var units: [String] {
        alert.window.distinctUnits.sorted()
    }
}

/// Occurrences of an aggregated alert over time in at most `maxBuckets` buckets; when
/// repeats run past the last bucket, neighbouring buckets merge and the width doubles, so
/// the histogram stays bounded however long the alert repeats.
public struct OccurrenceHistogram: Sendable, Hashable, Codable {
    public static let maxBuckets = 60
    public var start: EventTime
    public var bucketSeconds: Int64
    public var counts: [Int]

    public init(start: EventTime, bucketSeconds: Int64 = 60, count: Int = 1) {
        self.start = start
        self.bucketSeconds = bucketSeconds
        self.counts = [count]
    }

    public mutating func record(_ time: EventTime, count: Int = 1) {
        let offset = max(0, time.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000
        var bucket = Int(offset / bucketSeconds)
        while bucket >= Self.maxBuckets {
            var merged: [Int] = []
            merged.reserveCapacity(Self.maxBuckets)
            var i = 0
            while i < counts.count {
                merged.append(counts[i] + (i + 1 < counts.count ? counts[i + 1] : 0))
                i += 2
            }
            counts = merged
            bucketSeconds *= 2
            bucket = Int(offset / bucketSeconds)
        }
        if bucket >= counts.count { counts.append(contentsOf: repeatElement(0, count: bucket - counts.count + 1)) }
        counts[bucket] += count
    }

    public var total: Int { counts.reduce(0, +) }
}
