/// Which alerts of the segment the full ring removes are carried forward (`StoreQuota`): a
/// decision over the segment's live alerts and what the rest of the ring holds, without I/O.
///
/// An alert is carried when it is protected and all protected alerts stay within
/// `protectedShare` of the ring, or when its source stays within an equal share of the ring
/// (the ring's bytes over the number of sources holding alerts). Protected alerts are
/// considered first, then the sources holding least, newest first; carrying stops at
/// `StoreQuota.carryLimit` of the segment and at the caller's allowance. Alerts past the retention age are never carried.
struct CarryForwardPlan {
    struct Candidate {
        var index: RecordIndex
        /// Encoded record bytes.
        var bytes: Int
    }

    /// Positions in the candidates of the alerts to carry, ascending.
    private(set) var carried: [Int] = []
    private(set) var carriedBytes = 0

    /// - Parameters:
    ///   - remaining: per-source usage of the ring without the segment being removed.
    ///   - allowance: bytes the caller may still carry in this pass.
    ///   - expiresBefore: alerts whose last occurrence is before this are past the retention age.
    init(candidates: [Candidate], remaining: [String: SourceUsage], quota: StoreQuota, allowance: Int = .max,
         expiresBefore: Int64? = nil) {
        let ringBytes = remaining.values.reduce(0) { $0 + $1.bytes }
        let sources = Set(remaining.filter { $0.value.alerts > 0 }.keys).union(candidates.map(\.index.source))
        let sourceLimit = Double(ringBytes) / Double(max(1, sources.count))
        let protectedLimit = Double(ringBytes) * quota.protectedShare
        let carryLimit = min(Double(candidates.reduce(0) { $0 + $1.bytes }) * StoreQuota.carryLimit, Double(allowance))
        var held = remaining.mapValues(\.bytes)
        var protectedHeld = remaining.values.reduce(0) { $0 + $1.protectedBytes }
        let order = candidates.indices.sorted { a, b in
            let x = candidates[a].index, y = candidates[b].index
            if x.isProtected != y.isProtected { return x.isProtected }
            let hx = held[x.source] ?? 0, hy = held[y.source] ?? 0
            if hx != hy { return hx < hy }
            return (x.lastSeen, x.id) > (y.lastSeen, y.id)
        }
        var keep = [Bool](repeating: false, count: candidates.count)
        for i in order {
            let c = candidates[i]
            if let expiresBefore, c.index.lastSeen < expiresBefore { continue }
            guard Double(carriedBytes + c.bytes) <= carryLimit else { continue }
            let withinProtected = c.index.isProtected && Double(protectedHeld + c.bytes) <= protectedLimit
            let withinSource = Double((held[c.index.source] ?? 0) + c.bytes) <= sourceLimit
            guard withinProtected || withinSource else { continue }
            keep[i] = true
            carriedBytes += c.bytes
            held[c.index.source, default: 0] += c.bytes
            if c.index.isProtected { protectedHeld += c.bytes }
        }
        carried = candidates.indices.filter { keep[$0] }
    }
}
