import Control

/// Fetches a list the daemon returns in pages: asks for at most `ListLimit.maximum` a call and
/// follows `next` until `wanted` items are in or none remain, so the user gets what
/// `--limit` asked for however the daemon caps one reply.
enum Paging {
    static func collect<Item>(wanted: Int, fetch: (_ limit: Int, _ after: String?) throws -> (items: [Item], next: String?)) rethrows -> [Item] {
        var items: [Item] = []
        var after: String?
        while items.count < wanted {
            let page = try fetch(min(wanted - items.count, ListLimit.maximum), after)
            items += page.items.prefix(wanted - items.count)
            guard let next = page.next, !page.items.isEmpty else { break }
            after = next
        }
        return items
    }
}
