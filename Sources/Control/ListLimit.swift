/// The most a list method returns in one call; `rationctl` pages past it.
public enum ListLimit {
    public static let maximum = 1000

    /// Refuses a limit over the maximum, naming it, rather than clamping: a client that has not
    /// learnt to page must not mistake a short page for the whole list.
    public static func check(_ limit: Int?) throws(VarlinkError) {
        guard let limit, limit > maximum else { return }
        throw .invalidRequest("limit \(limit) is over the maximum of \(maximum) per call; ask for the rest with \"after\" set to the reply's \"next\"")
    }
}
