/// The train/validation split of every export: sorted by time (stable for equal times), the
/// newest `round(count × validationFraction)` items held out. Chronological, not random:
/// templates recur, and a random split would leak near-duplicates of validation items into
/// training.
public enum ChronologicalSplit {
    public static func split<Item>(_ items: [Item], validationFraction: Double, time: (Item) -> Double)
        -> (train: ArraySlice<Item>, validation: ArraySlice<Item>) {
        let ordered = items.enumerated().sorted { (time($0.element), $0.offset) < (time($1.element), $1.offset) }.map(\.element)
        let held = Int((Double(ordered.count) * validationFraction).rounded())
        let cut = ordered.count - held
        return (ordered[..<cut], ordered[cut...])
    }
}
