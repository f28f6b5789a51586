extension AlertStore {
    /// Where the newest version of each alert lies: file and byte range of its block or
    /// record. Lets the corruption test tell damaged alerts from undamaged ones.
    func recordLocations() throws(AlertStoreError) -> [UInt64: (path: String, range: Range<Int>)] {
        lock.lock()
        defer { lock.unlock() }
        var result: [UInt64: (path: String, range: Range<Int>)] = [:]
        for segment in sealed {
            for (bi, b) in segment.blocks.enumerated() {
                guard let (_, records) = try segment.readBlock(bi, codec: codec) else { continue }
                for (h, _) in records where isVisible(h.id, in: segment.seq) {
                    result[h.id] = (segment.path, b.offset..<(b.offset + b.length))
                }
            }
        }
        if let active {
            for entry in active.latestEntries {
                result[entry.index.id] = (active.path, (entry.body.lowerBound - ActiveSegment.recordHeaderSize)..<entry.body.upperBound)
            }
        }
        return result
    }
}
