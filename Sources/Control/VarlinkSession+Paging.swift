extension VarlinkSession {
    /// One page of a list reply: at most `limit` of `items` (the handler was asked for one
    /// more, to learn whether more match), cut short so their encoded size stays within
    /// `budget`. `next` is the cursor of the last item kept when any were left out. The first
    /// item is always kept, however large, so paging always moves on.
    static func page<T: Encodable>(_ items: [T], limit: Int, budget: Int,
                                   cursor: (T) -> PageCursor) throws -> (items: [T], next: String?) {
        var kept: [T] = []
        var bytes = 0
        for item in items.prefix(limit) {
            let size = try VarlinkJSON.encode(item).count + 1
            if !kept.isEmpty, bytes + size > budget { break }
            bytes += size
            kept.append(item)
        }
        guard kept.count < items.count, let last = kept.last else { return (kept, nil) }
        return (kept, cursor(last).description)
    }
}
