/// The journal MESSAGE_IDs rationd writes: `journalctl MESSAGE_ID=…` selects its entries, the
/// catalog explains them, and the journal source skips them so rationd never judges its own
/// alerts.
public enum RationdMessageID {
    /// An alert (`JournalAlertWriter`).
    public static let alert = "a7c1e0d2f6b94d1e8f3c5b2a9d4e7f10"
    public static let all: [String] = [alert]
}
