extension TemplateQuery {
    /// The parsed `after`.
    public var cursor: PageCursor? { after.flatMap(PageCursor.init) }

    public func validate() throws(VarlinkError) {
        if let l = limit, l < 1 { throw .invalidParameter("limit") }
        if let a = after, PageCursor(a) == nil { throw .invalidParameter("after") }
    }

    /// A template's place in the listing: by count (by first seen with `newSince`), then id,
    /// both descending. Counts grow while a client pages, so a template whose count passes the
    /// cursor between two calls is not listed again; no template is listed twice.
    public func cursor(of t: TemplateRecord) -> PageCursor {
        PageCursor(key: newSince != nil ? t.firstSeen : Int64(clamping: t.count), id: t.id)
    }

    /// The page of `records` this query asks for: filtered, ordered, after the cursor, at most
    /// `limit`. Every handler lists templates through it, so they all page alike.
    public func select(_ records: [TemplateRecord]) -> [TemplateRecord] {
        let start = cursor
        var chosen = records.filter { t in
            if let newSince, t.firstSeen < newSince { return false }
            if let start { let c = cursor(of: t); return start.precedes(key: c.key, id: c.id) }
            return true
        }
        chosen.sort { a, b in
            let x = cursor(of: a), y = cursor(of: b)
            return (x.key, x.id) > (y.key, y.id)
        }
        return Array(chosen.prefix(limit ?? Self.defaultLimit))
    }
}
