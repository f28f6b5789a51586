#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RationCore

/// What triage has learned from the windows it has seen: in how many windows each template,
/// transition and template-count vector occurred, how often windows brought something new,
/// and each source's usual event rate. Every table is capped (least-seen entries forgotten).
struct TriageModel: Sendable, Hashable {
    struct TemplateStats: Sendable, Hashable, Codable {
        /// Windows containing the template.
        var windows: Int = 0
        var countSum: Double = 0
        var countSquareSum: Double = 0
        /// Windows in which the template occurred at warning level or worse.
        var severeWindows: Int = 0

        var meanCount: Double { windows > 0 ? countSum / Double(windows) : 0 }
        var countDeviation: Double {
            guard windows > 1 else { return 0 }
            let mean = meanCount
            return max(0, countSquareSum / Double(windows) - mean * mean).squareRoot()
        }
    }

    struct SourceRate: Sendable, Hashable, Codable {
        var windows: Int = 0
        /// Exponentially weighted events per second.
        var rate: Double = 0
    }

    /// `previous -> next`; `Transition.boundary` stands for the window's start or end.
    struct Transition: Sendable, Hashable, Codable, Comparable {
        static let boundary = UInt64.max
        var previous: UInt64
        var next: UInt64
        static func < (a: Self, b: Self) -> Bool { (a.previous, a.next) < (b.previous, b.next) }

        /// Looked up for every transition of every window: two SplitMix64 finalizer rounds
        /// over the ids (counters, not chosen keys) instead of SipHash.
        func _rawHashValue(seed: Int) -> Int {
            var x = previous ^ UInt64(UInt(bitPattern: seed))
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            x ^= (x >> 31) ^ next
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: x ^ (x >> 31))
        }
    }

    var windows = 0
    /// Templates first seen in a learned window, not counting the first window (which always
    /// brings everything it holds).
    var templateIntroductions = 0
    var windowsWithNewTransition = 0
    var windowsWithNewSignature = 0
    var templates: [TemplateID: TemplateStats] = [:]
    var transitions: [Transition: Int] = [:]
    var signatures: [UInt64: Int] = [:]
    var sources: [SourceID: SourceRate] = [:]

    /// Probability that a window brings a never-seen item, with add-one smoothing.
    func noveltyRate(_ newWindows: Int) -> Double { Double(newWindows + 1) / Double(windows + 2) }

    /// Expected never-seen templates per window (smoothed).
    var newTemplatesPerWindow: Double { Double(templateIntroductions + 1) / Double(windows + 1) }

    /// A one-sided 99% lower confidence bound on `newTemplatesPerWindow`: the rate at which
    /// a window's never-seen templates are judged.
    ///
    /// With few learned windows the point estimate rests on a handful of introductions (most
    /// of them the normal vocabulary being discovered), and a genuinely new template then
    /// scores barely a bit, so anomalies among the first windows went unnoticed. Judging by the
    /// lowest rate the evidence supports makes a new template count more while the estimate is
    /// uncertain; as introductions accumulate the bound approaches the estimate (within about
    /// 40% past 30 introductions, under a bit). Poisson lower limit chi2(0.01; 2k)/2 with k the
    /// smoothed introduction count, by the Wilson-Hilferty approximation; never below the exact
    /// limit for k = 1 (-ln 0.99), which the approximation undershoots.
    var newTemplatesPerWindowLowerBound: Double {
        let k = Double(templateIntroductions + 1)
        let z = 2.326
        let root = max(0, 1 - 1 / (9 * k) - z / (3 * k.squareRoot()))
        return max(k * root * root * root, 0.01005) / Double(windows + 1)
    }

    /// P(K >= k) for K ~ Poisson(lambda): how likely a window brings at least `k` new templates.
    static func poissonTail(atLeast k: Int, lambda: Double) -> Double {
        guard k > 0 else { return 1 }
        if k == 1 { return -expm1(-lambda) }
        var term = exp(-lambda)
        for i in 1...k { term *= lambda / Double(i) }
        var sum = 0.0
        var i = k
        while term > sum * 1e-12 && i < k + 200 {
            sum += term
            i += 1
            term *= lambda / Double(i)
        }
        return min(1, sum)
    }

    /// Removes the least-seen tenth of `table` (ties broken by key) once it exceeds `cap`.
    static func prune<Key: Comparable & Hashable, Value>(_ table: inout [Key: Value], cap: Int,
                                                          weight: (Value) -> Int) {
        guard table.count > cap else { return }
        let drop = max(1, table.count - cap + cap / 10)
        let victims = table.sorted { a, b in
            let wa = weight(a.value), wb = weight(b.value)
            return wa != wb ? wa < wb : a.key < b.key
        }.prefix(drop)
        for (key, _) in victims { table[key] = nil }
    }
}

/// A window reduced to what triage measures. Small sorted arrays rather than hash tables:
/// windows hold a handful of distinct templates, and this runs for every window.
struct WindowProfile: Sendable {
    /// Distinct templates with their event counts, by template id.
    var counts: [(id: TemplateID, count: Int)] = []
    /// Templates with events at warning level or worse: the most severe level and how many
    /// such events, by template id.
    var severity: [(id: TemplateID, priority: Priority, events: Int)] = []
    /// Distinct transitions, sorted.
    var transitions: [TriageModel.Transition] = []
    var signature: UInt64 = 0
    /// Events per second over the window's span (at least one second).
    var rate: Double = 0

    init(_ window: Window) {
        var severe: [(id: TemplateID, priority: Priority)] = []
        var previous = TriageModel.Transition.boundary
        transitions.reserveCapacity(window.events.count + 1)
        for event in window.events {
            if let p = event.priority, p <= .warning {
                if severe.isEmpty { severe.reserveCapacity(window.events.count) }
                severe.append((event.templateID, p))
            }
            let id = event.templateID.rawValue
            transitions.append(.init(previous: previous, next: id))
            previous = id
        }
        if !window.events.isEmpty { transitions.append(.init(previous: previous, next: TriageModel.Transition.boundary)) }
        transitions.sort()
        Self.removeAdjacentDuplicates(&transitions)
        // Counted straight into the sorted `counts` (a window holds a handful of distinct
        // templates): no array of every event's id to sort.
        counts.reserveCapacity(min(window.events.count, 16))
        for event in window.events {
            let id = event.templateID
            var low = 0, high = counts.count
            while low < high {
                let mid = (low + high) / 2
                if counts[mid].id < id { low = mid + 1 } else { high = mid }
            }
            if low < counts.count && counts[low].id == id {
                counts[low].count += 1
            } else {
                counts.insert((id, 1), at: low)
            }
        }
        var k = 0
        severe.sort { $0.id != $1.id ? $0.id < $1.id : $0.priority < $1.priority }
        k = 0
        while k < severe.count {
            var j = k + 1
            while j < severe.count && severe[j].id == severe[k].id { j += 1 }
            severity.append((severe[k].id, severe[k].priority, j - k))   // sorted: most severe first
            k = j
        }
        signature = Self.signature(counts)
        // `window.end.since(window.start).seconds`, split into seconds and attoseconds as
        // Duration.components splits it, without its 128-bit division.
        let span = window.end.microsecondsSinceEpoch - window.start.microsecondsSinceEpoch
        let seconds = span >= 0
            ? max(1.0, Double(span / 1_000_000) + Double((span % 1_000_000) * 1_000_000_000_000) / 1e18)
            : max(1.0, window.end.since(window.start).seconds)
        rate = Double(window.eventCount) / seconds
    }

    func count(of id: TemplateID) -> Int? { index(of: id).map { counts[$0].count } }

    /// Position of `id` in `counts`.
    func index(of id: TemplateID) -> Int? {
        var low = 0, high = counts.count
        while low < high {
            let mid = (low + high) / 2
            if counts[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < counts.count && counts[low].id == id ? low : nil
    }

    func isSevere(_ id: TemplateID) -> Bool {
        var low = 0, high = severity.count
        while low < high {
            let mid = (low + high) / 2
            if severity[mid].id < id { low = mid + 1 } else { high = mid }
        }
        return low < severity.count && severity[low].id == id
    }

    /// Keeps the first of each run of equal elements, in place.
    private static func removeAdjacentDuplicates<T: Equatable>(_ sorted: inout [T]) {
        guard sorted.count > 1 else { return }
        var kept = 1
        for k in 1..<sorted.count where sorted[k] != sorted[kept - 1] {
            sorted[kept] = sorted[k]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
    }

    /// Counts above 8 are bucketed by powers of two so long windows still repeat.
    static func bucket(_ count: Int) -> UInt64 {
        count <= 8 ? UInt64(count) : 8 + UInt64(Int.bitWidth - count.leadingZeroBitCount)
    }

    /// FNV-1a over the sorted (template, bucketed count) pairs: stable across runs and restarts.
    static func signature(_ counts: [(id: TemplateID, count: Int)]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        // FNV-1a over the little-endian bytes of each id and count bucket (snapshots store
        // these values: the byte order must not change).
        @inline(__always) func mix(_ value: UInt64) {
            var v = value
            for _ in 0..<8 {
                hash ^= v & 0xff
                hash = hash &* 0x100_0000_01b3
                v >>= 8
            }
        }
        for (id, count) in counts {
            mix(id.rawValue)
            mix(bucket(count))
        }
        return hash
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
