/// The train/validation split of every export: sorted by time (stable for equal times), the
/// newest `round(count × validationFraction)` items held out. Chronological, not random:
/// templates recur, and a random split would leak near-duplicates of validation items into
/// training.
public struct ChronologicalSplit: Sendable, Hashable {
    /// Share of the newest items held out, in [0, 1).
    public let validationFraction: Double

    public init(validationFraction: Double) throws(CalibrationError) {
        guard validationFraction >= 0, validationFraction < 1 else {
            throw .invalidConfiguration("validation fraction must be in [0, 1), got \(validationFraction)")
        }
        self.validationFraction = validationFraction
    }

    public func split<Item>(_ items: [Item], time: (Item) -> Double) -> (train: ArraySlice<Item>, validation: ArraySlice<Item>) {
        let ordered = items.enumerated().sorted { (time($0.element), $0.offset) < (time($1.element), $1.offset) }.map(\.element)
        let held = Int((Double(ordered.count) * validationFraction).rounded())
        let cut = ordered.count - held
        return (ordered[..<cut], ordered[cut...])
    }
}
