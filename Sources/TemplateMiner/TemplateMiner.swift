import RationCore

/// Drain-style online template miner.
///
/// A value type without I/O or clock: feed it message bytes, get a stable `TemplateID` and
/// the parameters. Lines are tokenised and masked byte by byte (`LineTokenizer`); a line
/// whose masked token sequence was seen before is answered from the exact-match cache, so
/// identical messages always reach the same template; otherwise the prefix tree picks a
/// leaf and the most similar template there absorbs the line (its differing positions
/// become `<*>`, its id stays) or a new template is made. An LRU cap bounds the templates.
public struct TemplateMiner: Sendable {
    public let configuration: MinerConfiguration
    var tokenizer: LineTokenizer
    var tree = PrefixTree()
    var records: [TemplateRecord?] = []
    /// Least-recently-matched order of the slots, for the LRU cap.
    var recency = RecencyQueue()
    /// Per slot: lines matched, id (0 when free), `<*>` positions. Kept beside the records
    /// for the same reason.
    var matchCounts: [UInt64] = []
    var slotIDs: [UInt64] = []
    var wildcardCounts: [Int32] = []
    var freeSlots: [Int32] = []
    var slotByID: [TemplateID: Int32] = [:]
    var exactCache: ExactMatchCache
    /// Scalars of `configuration`, read on every line.
    let maxLineBytes: Int
    let depth: Int
    let maxChildren: Int
    let maxTemplates: Int
    let exactCacheSize: Int
    let similarityThreshold: Double
    var nextID: UInt64 = 1
    var stats = MinerStatistics()
    var scratch = TokenizedLine()

    /// Uses `configuration` as given; operator masks that do not compile are skipped (call
    /// `MinerConfiguration.validate()` first to reject them with a clear error).
    public init(configuration: MinerConfiguration = .default) {
        self.configuration = configuration
        self.tokenizer = LineTokenizer(configuration: configuration)
        exactCache = ExactMatchCache(capacity: configuration.exactCacheSize)
        maxLineBytes = configuration.maxLineBytes
        depth = configuration.depth
        maxChildren = configuration.maxChildren
        maxTemplates = configuration.maxTemplates
        exactCacheSize = configuration.exactCacheSize
        similarityThreshold = configuration.similarityThreshold
    }


    public var templateCount: Int { slotByID.count }

    public var statistics: MinerStatistics {
        var s = stats
        s.templates = slotByID.count
        return s
    }

    /// Current text of a template, parameters as `<*>`; nil when unknown or evicted.
    public func template(for id: TemplateID) -> String? {
        guard let slot = slotByID[id], let record = records[Int(slot)] else { return nil }
        return record.text
    }

    /// All live templates, most recently matched first.
    public var templates: [(id: TemplateID, text: String, matches: UInt64)] {
        var result: [(id: TemplateID, text: String, matches: UInt64)] = []
        for slot in recency.slotsByRecency.reversed() {
            guard let record = records[Int(slot)] else { continue }
            result.append((record.id, record.text, matchCounts[Int(slot)]))
        }
        return result
    }

    public mutating func mine(_ content: String) -> MinedLine {
        mine(Array(content.utf8)[...])
    }

    public mutating func mine(_ content: [UInt8]) -> MinedLine {
        mine(content[...])
    }

    /// Mines one message given as a slice (no copy of the bytes).
    public mutating func mine(_ content: ArraySlice<UInt8>) -> MinedLine {
        content.withUnsafeBufferPointer { mine($0) }
    }

    /// Mines one message in borrowed memory (a reader's buffer), without copying it.
    public mutating func mine(_ content: UnsafeBufferPointer<UInt8>) -> MinedLine {
        stats.lines += 1
        if content.count > maxLineBytes {
            stats.cappedLines += 1
            return mine(bytes: UnsafeBufferPointer(rebasing: content[0..<maxLineBytes]))
        }
        return mine(bytes: content)
    }

    private mutating func mine(bytes: UnsafeBufferPointer<UInt8>) -> MinedLine {
        tokenizer.tokenize(bytes, into: &scratch)
        if scratch.truncated { stats.truncatedLines += 1 }
        if let entry = exactCache.lookup(scratch.sequenceHash), slotIDs[Int(entry.slot)] == entry.id {
            let slot = entry.slot
            recency.touch(slot)
            matchCounts[Int(slot)] += 1
            return MinedLine(templateID: TemplateID(entry.id), parameters: parameters(slot, bytes), isNewTemplate: false)
        }
        let slot: Int32
        let isNew: Bool
        if let leaf = tree.leaf(for: scratch, depth: depth), let best = bestMatch(in: leaf) {
            slot = best
            isNew = false
            generalise(slot)
            recency.touch(slot)
        } else {
            slot = create(bytes)
            isNew = true
        }
        matchCounts[Int(slot)] += 1
        let id = slotIDs[Int(slot)]
        exactCache.insert(scratch.sequenceHash, id: id, slot: slot)
        let result = MinedLine(templateID: TemplateID(id), parameters: parameters(slot, bytes), isNewTemplate: isNew)
        if slotByID.count > maxTemplates { evictOldest() }
        return result
    }

    /// The most similar template of the leaf at or over the threshold. A position counts
    /// when the tokens are equal, or when the template has `<*>` and the line a value there;
    /// ties go to the template with fewer `<*>`.
    private func bestMatch(in leaf: Int32) -> Int32? {
        let n = scratch.count
        var best: Int32 = -1
        var bestSame = -1
        var bestWildcards = Int.max
        for slot in tree.templates(in: leaf) {
            guard let record = records[Int(slot)] else { continue }
            var same = 0
            record.hashes.withUnsafeBufferPointer { t in
                scratch.tokens.withUnsafeBufferPointer { l in
                    for i in 0..<n where t[i] == l[i].hash || (t[i] == PrefixTree.wildcardKey && l[i].hasMask) { same += 1 }
                }
            }
            if same > bestSame || (same == bestSame && record.wildcards < bestWildcards) {
                best = slot
                bestSame = same
                bestWildcards = record.wildcards
            }
        }
        guard best >= 0 else { return nil }
        if n == 0 { return best }
        return Double(bestSame) >= similarityThreshold * Double(n) ? best : nil
    }

    private mutating func generalise(_ slot: Int32) {
        let n = scratch.count
        var record = records[Int(slot)].take()!
        for i in 0..<n where record.hashes[i] != scratch.tokens[i].hash && record.hashes[i] != PrefixTree.wildcardKey {
            record.hashes[i] = PrefixTree.wildcardKey
            record.texts[i] = "<*>"
            record.wildcards += 1
        }
        wildcardCounts[Int(slot)] = Int32(record.wildcards)
        records[Int(slot)] = record
    }

    private mutating func create(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = TemplateID(nextID)
        nextID += 1
        stats.templatesCreated += 1
        let path = tree.path(for: scratch, depth: depth, maxChildren: maxChildren)
        var texts: [String] = []
        texts.reserveCapacity(scratch.count)
        var hashes: [UInt64] = []
        hashes.reserveCapacity(scratch.count)
        var wildcards = 0
        for i in 0..<scratch.count {
            texts.append(scratch.maskedText(i, line: bytes))
            hashes.append(scratch.tokens[i].hash)
            if scratch.tokens[i].hash == PrefixTree.wildcardKey { wildcards += 1 }
        }
        return insert(TemplateRecord(id: id, hashes: hashes, texts: texts, path: path, leaf: -1, wildcards: wildcards))
    }

    /// Files a record under its path and makes it the most recent.
    mutating func insert(_ record: TemplateRecord, matches: UInt64 = 0) -> Int32 {
        var record = record
        record.leaf = tree.insert(path: record.path)
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            records[Int(slot)] = record
        } else {
            records.append(record)
            matchCounts.append(0)
            slotIDs.append(0)
            wildcardCounts.append(0)
            slot = Int32(records.count - 1)
        }
        matchCounts[Int(slot)] = matches
        slotIDs[Int(slot)] = record.id.rawValue
        wildcardCounts[Int(slot)] = Int32(record.wildcards)
        tree.add(template: slot, to: record.leaf)
        slotByID[record.id] = slot
        recency.insert(slot)
        return slot
    }

    private mutating func evictOldest() {
        guard let slot = recency.popLeastRecent(), let record = records[Int(slot)] else { return }
        tree.remove(template: slot, from: record.leaf)
        slotByID[record.id] = nil
        records[Int(slot)] = nil
        slotIDs[Int(slot)] = 0
        freeSlots.append(slot)
        stats.evictions += 1
    }

    // MARK: Parameters

    /// The line's values at the template's parameter positions: the whole word where the
    /// template has `<*>`, the masked pieces where the template kept the masked token.
    private func parameters(_ slot: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        let spans = scratch.paramCount
        let wildcards = Int(wildcardCounts[Int(slot)])
        guard spans > 0 || wildcards > 0 else { return [] }
        let templateHashes = records[Int(slot)]!.hashes
        var result: [String] = []
        result.reserveCapacity(spans + wildcards)
        var p = 0
        let count = scratch.count
        scratch.params.withUnsafeBufferPointer { params in
            scratch.tokens.withUnsafeBufferPointer { tokens in
                for i in 0..<count {
                    if templateHashes[i] == PrefixTree.wildcardKey {
                        while p < spans && Int(params[p].token) == i { p += 1 }
                        result.append(Self.string(bytes, tokens[i].wordStart, tokens[i].wordEnd))
                    } else {
                        while p < spans && Int(params[p].token) == i {
                            result.append(Self.string(bytes, params[p].start, params[p].end))
                            p += 1
                        }
                    }
                }
            }
        }
        return result
    }

    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int32, _ end: Int32) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(start)..<Int(end)]), as: UTF8.self)
    }
}

extension Optional {
    /// Moves the value out, leaving nil, so it can be mutated without a copy.
    @inline(__always)
    mutating func take() -> Wrapped? {
        let value = self
        self = nil
        return value
    }
}
