/// How the full ring chooses what to drop. Without quotas it removes the oldest segment
/// whole, so one noisy source with large windows flushes every other source's history. With
/// them, the alerts of the segment being removed that are protected (abnormal verdict,
/// operator label) or belong to a source under its share are carried forward into the
/// write-ahead segment (same id, same content) and only the rest are dropped.
///
/// Both shares are fractions of what the ring holds after the removal, counted in encoded
/// alert bytes (`SourceUsage`).
public struct StoreQuota: Sendable, Hashable {
    /// Protected alerts are carried forward while all protected alerts in the ring take at
    /// most this fraction of it (0: none are); beyond it the oldest protected go first.
    public var protectedShare: Double

    /// At most this fraction of a removed segment's alerts (by bytes) is carried forward, so
    /// every removal frees at least half a segment and the ring's byte cap holds.
    public static let carryLimit = 0.5

    public init(protectedShare: Double = 0.5) {
        self.protectedShare = protectedShare
    }

    func validate() throws(AlertStoreError) {
        guard protectedShare >= 0, protectedShare <= 0.9 else {
            throw .invalidConfiguration("protectedShare \(protectedShare) outside 0…0.9")
        }
    }
}
