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
    /// Per slot, the template's first `leadCount` token hashes, so that a comparison that
    /// fails within them (an unrelated line) reads one cache line instead of the record's
    /// hash array.
    var leadHashes: [UInt64] = []
    static let leadCount = 4
    var freeSlots: [Int32] = []
    var slotByID = SlotByID()
    var exactCache: ExactMatchCache
    var aliases: TemplateAliases
    /// Overflow template of each source that ran out of new-template budget.
    var overflowIDs: [String: TemplateID] = [:]
    /// Scalars of `configuration`, read on every line.
    let maxLineBytes: Int
    let depth: Int
    let maxChildren: Int
    let maxTemplates: Int
    let maxTemplateBytes: Int
    /// Bytes the live templates hold (`TemplateRecord.bytes` when each was filed), by slot and in all.
    var slotBytes: [Int] = []
    var templateBytes = 0
    let exactCacheSize: Int
    let similarityThreshold: Double
    let candidatesPerLeaf: Int
    let distinctValuesForParameter: Int
    let maxLearnedPositions: Int
    /// Words a line must share with a template to teach it which positions vary.
    static let minimumLiteralWords = 2
    var nextID: UInt64 = 1
    var stats = MinerStatistics()
    var scratch = TokenizedLine()
    /// Templates evicted since the last `takeEvictedTemplates()`, while kept.
    var evicted: [EvictedTemplate] = []
    /// The list `takeEvictedTemplates()` returned last.
    var spareEvicted: [EvictedTemplate] = []
    /// Whether evicted templates are kept for `takeEvictedTemplates()`. Off in the daemon
    /// (nothing there names an evicted id again); a caller that sets it must take them.
    public var keepsEvictedTemplates = false

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
        maxTemplateBytes = configuration.maxTemplateBytes
        exactCacheSize = configuration.exactCacheSize
        similarityThreshold = configuration.similarityThreshold
        candidatesPerLeaf = configuration.candidatesPerLeaf
        distinctValuesForParameter = configuration.distinctValuesForParameter
        maxLearnedPositions = configuration.maxLearnedPositions
        aliases = TemplateAliases(capacity: configuration.maxTemplates)
    }


    public var templateCount: Int { slotByID.count }

    /// The templates evicted since the last call (only with `keepsEvictedTemplates`).
    public mutating func takeEvictedTemplates() -> [EvictedTemplate] {
        guard !evicted.isEmpty else { return [] }
        let taken = evicted
        // The list handed out last time is refilled: a caller that let go of it leaves it
        // unique, so its storage is reused instead of a new one per call.
        evicted = spareEvicted
        spareEvicted = []
        evicted.removeAll(keepingCapacity: true)
        spareEvicted = taken
        return taken
    }

    public var statistics: MinerStatistics {
        var s = stats
        s.templates = slotByID.count
        return s
    }

    /// Current text of a template, parameters as `<*>`; nil when unknown or evicted. The id
    /// of a template merged into another gives the other's text.
    public func template(for id: TemplateID) -> String? {
        guard let slot = slotByID[id] ?? slotByID[aliases.resolve(id)], let record = records[Int(slot)] else { return nil }
        return record.text.string
    }

    /// The id that now stands for `id`: itself, or the template it was merged into.
    public func resolve(_ id: TemplateID) -> TemplateID {
        slotByID[id] != nil ? id : aliases.resolve(id)
    }

    /// All live templates, most recently matched first.
    public var templates: [(id: TemplateID, text: String, matches: UInt64)] {
        var result: [(id: TemplateID, text: String, matches: UInt64)] = []
        for slot in recency.slotsByRecency.reversed() {
            guard let record = records[Int(slot)] else { continue }
            result.append((record.id, record.text.string, matchCounts[Int(slot)]))
        }
        return result
    }

    /// Each live template's id and text, in no particular order (cheaper than `templates`).
    public var templateTexts: [(TemplateID, String)] {
        records.compactMap { record in record.map { ($0.id, $0.text.string) } }
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

    /// Mines one message in borrowed memory (a reader's buffer), without copying it. With
    /// `overflow` set, a line that would make a new template joins that source's overflow
    /// template instead (see `NewTemplateBudget`).
    public mutating func mine(_ content: UnsafeBufferPointer<UInt8>, overflow: String? = nil) -> MinedLine {
        stats.lines += 1
        if content.count > maxLineBytes {
            stats.cappedLines += 1
            return mine(bytes: UnsafeBufferPointer(rebasing: content[0..<maxLineBytes]), overflow: overflow)
        }
        return mine(bytes: content, overflow: overflow)
    }

    /// Mines one message, creating a template only while `budget` allows it at `time`.
    public mutating func mine(_ content: ArraySlice<UInt8>, budget: inout NewTemplateBudget, at time: EventTime,
                              source: String) -> MinedLine {
        let overflow = budget.allows(at: time) ? nil : source
        let mined = content.withUnsafeBufferPointer { mine($0, overflow: overflow) }
        if mined.isNewTemplate { budget.spend() }
        return mined
    }

    private mutating func mine(bytes: UnsafeBufferPointer<UInt8>, overflow: String?) -> MinedLine {
        tokenizer.tokenize(bytes, into: &scratch)
        if scratch.truncated { stats.truncatedLines += 1 }
        if let entry = exactCache.lookup(scratch.sequenceHash), slotIDs[Int(entry.slot)] == entry.id {
            let slot = entry.slot
            recency.touch(slot)
            matchCounts[Int(slot)] += 1
            return MinedLine(templateID: TemplateID(entry.id), parameters: parameters(slot, bytes), isNewTemplate: false)
        }
        var slot: Int32 = -1
        if let leaf = tree.leaf(for: scratch, depth: depth) {
            let (best, same) = bestCandidate(in: leaf)
            if best >= 0 && (scratch.count == 0 || Double(same) >= similarityThreshold * Double(scratch.count)
                             || learnVariants(best, differing: scratch.count - same)) {
                slot = best
                if generalise(slot) { absorbSubsumed(by: slot, in: leaf) }
                tree.moveToFront(template: slot, in: leaf)
                recency.touch(slot)
            }
        }
        let isNew = slot < 0
        if isNew, let overflow {
            slot = overflowSlot(for: overflow)
            recency.touch(slot)
            matchCounts[Int(slot)] += 1
            stats.overflowLines += 1
            return MinedLine(templateID: TemplateID(slotIDs[Int(slot)]), parameters: [], isNewTemplate: false, isOverflow: true)
        }
        if isNew { slot = create(bytes) }
        matchCounts[Int(slot)] += 1
        let id = slotIDs[Int(slot)]
        exactCache.insert(scratch.sequenceHash, id: id, slot: slot)
        let result = MinedLine(templateID: TemplateID(id), parameters: parameters(slot, bytes), isNewTemplate: isNew)
        evictOverBudget()
        return result
    }

    /// Whether template `slot` and the line agree at token `i`: equal words, or a parameter
    /// of the template.
    @inline(__always)
    private static func agrees(_ templateHash: UInt64, _ token: Token) -> Bool {
        templateHash == token.hash || templateHash == PrefixTree.wildcardKey
    }

    /// The most similar of the leaf's first `candidatesPerLeaf` templates (most recently
    /// matched first) that the line could join, and its count of agreeing positions; ties go
    /// to the template with fewer `<*>`, then to the older one, so that evidence about a
    /// position gathers on one template. A comparison stops at the first mismatch past what
    /// the threshold or learning allows, so unrelated lines cost a few words per candidate.
    private func bestCandidate(in leaf: Int32) -> (slot: Int32, same: Int) {
        let n = scratch.count
        let thresholdMisses = n - Int((similarityThreshold * Double(n)).rounded(.up))
        let learnableMisses = distinctValuesForParameter > 0 ? maxLearnedPositions : 0
        var allowedMisses = max(thresholdMisses, learnableMisses)
        var best: Int32 = -1
        var bestSame = -1
        var bestWildcards = Int.max
        var bestID = UInt64.max
        var slot = tree.head(of: leaf)
        var examined = 0
        let lead = min(n, Self.leadCount)
        scratch.tokens.withUnsafeBufferPointer { l in
            leadHashes.withUnsafeBufferPointer { leads in
                while slot >= 0 && examined < candidatesPerLeaf {
                    examined += 1
                    let current = slot
                    slot = tree.template(after: current)
                    // A leaf's list holds live slots only (`remove` unlinks).
                    let index = Int(current)
                    var misses = 0
                    let first = index * Self.leadCount
                    for i in 0..<lead where !Self.agrees(leads[first + i], l[i]) {
                        misses += 1
                        if misses > allowedMisses { break }
                    }
                    guard misses <= allowedMisses else { continue }
                    if n > lead {
                        records[index]!.hashes.withUnsafeBufferPointer { t in
                            for i in lead..<n where !Self.agrees(t[i], l[i]) {
                                misses += 1
                                if misses > allowedMisses { break }
                            }
                        }
                        guard misses <= allowedMisses else { continue }
                    }
                    let same = n - misses
                    let wildcards = Int(wildcardCounts[index])
                    let id = slotIDs[index]
                    if same > bestSame || (same == bestSame && (wildcards < bestWildcards
                                                                 || (wildcards == bestWildcards && id < bestID))) {
                        best = current
                        bestSame = same
                        bestWildcards = wildcards
                        bestID = id
                        // Only as good or better can win from here.
                        allowedMisses = misses
                    }
                }
            }
        }
        return (best, bestSame)
    }

    /// Records the line's words where it differs from template `slot` (at most
    /// `maxLearnedPositions` of them). When each such position has shown
    /// `distinctValuesForParameter` distinct words, they are values: true, and `generalise`
    /// turns them into parameters.
    private mutating func learnVariants(_ slot: Int32, differing: Int) -> Bool {
        guard differing <= maxLearnedPositions, distinctValuesForParameter > 0 else { return false }
        // Only lines that share real words with the template teach it: at least two, and at
        // least half the line (short lines of values alone would otherwise all merge).
        let n = scratch.count
        var literal = 0
        records[Int(slot)]!.hashes.withUnsafeBufferPointer { t in
            for i in 0..<n where t[i] == scratch.tokens[i].hash && t[i] != PrefixTree.wildcardKey { literal += 1 }
        }
        guard literal >= Self.minimumLiteralWords, 2 * literal >= n else { return false }
        var record = records[Int(slot)].take()!
        defer { records[Int(slot)] = record }
        var ready = true
        let needed = distinctValuesForParameter - 1
        for i in 0..<n {
            let hash = scratch.tokens[i].hash
            guard !Self.agrees(record.hashes[i], scratch.tokens[i]) else { continue }
            let position = Int32(i)
            if let k = record.variants.firstIndex(where: { $0.position == position }) {
                if record.variants[k].values.count < needed && !record.variants[k].values.contains(hash) {
                    record.variants[k].values.append(hash)
                }
                if record.variants[k].values.count < needed { ready = false }
            } else {
                record.variants.append(PositionVariants(position: position, values: [hash]))
                if needed > 1 { ready = false }
            }
        }
        return ready
    }

    /// Turns the positions where the line differs into parameters; true when any changed.
    private mutating func generalise(_ slot: Int32) -> Bool {
        let n = scratch.count
        var record = records[Int(slot)].take()!
        var changed = false
        for i in 0..<n where !Self.agrees(record.hashes[i], scratch.tokens[i]) {
            record.hashes[i] = PrefixTree.wildcardKey
            if i < Self.leadCount { leadHashes[Int(slot) * Self.leadCount + i] = PrefixTree.wildcardKey }
            record.text.replace(i, with: "<*>")
            record.wildcards += 1
            changed = true
        }
        if changed {
            record.variants.removeAll { record.hashes[Int($0.position)] == PrefixTree.wildcardKey }
        }
        wildcardCounts[Int(slot)] = Int32(record.wildcards)
        records[Int(slot)] = record
        return changed
    }

    /// Merges into `slot` the other templates of the leaf it now covers (each of their words
    /// is equal or under a parameter): their ids become aliases of its id.
    private mutating func absorbSubsumed(by slot: Int32, in leaf: Int32) {
        guard let survivor = records[Int(slot)] else { return }
        var other = tree.head(of: leaf)
        var examined = 0
        while other >= 0 && examined < candidatesPerLeaf {
            examined += 1
            let following = tree.template(after: other)
            defer { other = following }
            guard other != slot, let record = records[Int(other)], record.hashes.count == survivor.hashes.count else { continue }
            var covered = true
            for i in 0..<record.hashes.count
            where survivor.hashes[i] != PrefixTree.wildcardKey && survivor.hashes[i] != record.hashes[i] {
                covered = false
                break
            }
            guard covered else { continue }
            matchCounts[Int(slot)] += matchCounts[Int(other)]
            remove(other)
            aliases.add(record.id, to: survivor.id)
            stats.templatesMerged += 1
        }
    }

    private mutating func create(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let id = TemplateID(nextID)
        nextID += 1
        stats.templatesCreated += 1
        let n = scratch.count
        var wildcards = 0
        let (text, hashes) = scratch.tokens.withUnsafeBufferPointer { all in
            scratch.masked.withUnsafeBufferPointer { masked in
                let tokens = UnsafeBufferPointer(rebasing: all[0..<n])
                let text = TemplateText(maskedWordsOf: tokens, masked: masked, in: bytes)
                var hashes: [UInt64] = []
                hashes.reserveCapacity(n)
                for t in tokens {
                    hashes.append(t.hash)
                    if t.hash == PrefixTree.wildcardKey { wildcards += 1 }
                }
                return (text, hashes)
            }
        }
        let leaf = tree.insertLeaf(for: scratch, depth: depth, maxChildren: maxChildren)
        return insert(TemplateRecord(id: id, hashes: hashes, text: text, leaf: -1, wildcards: wildcards), leaf: leaf)
    }

    /// The overflow template of `source`, made when missing (or evicted). It sits under a
    /// tree branch no line reaches (`overflowBranch`), so only budget-less lines join it.
    private mutating func overflowSlot(for source: String) -> Int32 {
        if let id = overflowIDs[source], let slot = slotByID[id] { return slot }
        let id = TemplateID(nextID)
        nextID += 1
        let text = "rationd: new templates of \(source) over the limit"
        let slot = insert(TemplateRecord(id: id, hashes: [TokenHash.wildcard], text: TemplateText([text]),
                                         leaf: -1, wildcards: 0), path: [Self.overflowBranch])
        overflowIDs[source] = id
        evictOverBudget()
        return slotByID[id] ?? slot
    }

    /// Tree key of the overflow templates: no line has this many tokens.
    static let overflowBranch = UInt64.max

    /// Files a record under the branch `path` (created where missing) and makes it the most
    /// recent. The record is moved into its slot, not copied.
    mutating func insert(_ record: consuming TemplateRecord, path: [UInt64], matches: UInt64 = 0) -> Int32 {
        insert(record, leaf: tree.insert(path: path), matches: matches)
    }

    /// Files a record under `leaf` and makes it the most recent.
    mutating func insert(_ record: consuming TemplateRecord, leaf: Int32, matches: UInt64 = 0) -> Int32 {
        record.leaf = leaf
        let id = record.id
        let bytes = record.bytes
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            records.append(nil)
            matchCounts.append(0)
            slotIDs.append(0)
            wildcardCounts.append(0)
            slotBytes.append(0)
            leadHashes.append(contentsOf: repeatElement(0, count: Self.leadCount))
            slot = Int32(records.count - 1)
        }
        let s = Int(slot)
        slotBytes[s] = bytes
        templateBytes += bytes
        for i in 0..<min(record.hashes.count, Self.leadCount) { leadHashes[s * Self.leadCount + i] = record.hashes[i] }
        matchCounts[s] = matches
        slotIDs[s] = id.rawValue
        wildcardCounts[s] = Int32(record.wildcards)
        records[s] = consume record
        tree.add(template: slot, to: leaf)
        slotByID[id] = slot
        recency.insert(slot)
        return slot
    }

    /// Evicts the least recently used templates while more than `maxTemplates` are live or
    /// they hold more than `maxTemplateBytes`; the newest is always kept.
    private mutating func evictOverBudget() {
        while slotByID.count > maxTemplates || (templateBytes > maxTemplateBytes && slotByID.count > 1) {
            let before = slotByID.count
            evictOldest()
            if slotByID.count == before { return }
        }
    }

    private mutating func evictOldest() {
        guard let slot = recency.popLeastRecent(), let record = remove(slot, recencyDone: true) else { return }
        if keepsEvictedTemplates { evicted.append(EvictedTemplate(id: record.id, textBytes: record.text.bytes)) }
        stats.evictions += 1
    }

    /// Frees a template's slot and takes it out of its leaf (and of the recency order);
    /// returns what was there.
    @discardableResult
    private mutating func remove(_ slot: Int32, recencyDone: Bool = false) -> TemplateRecord? {
        guard let record = records[Int(slot)].take() else { return nil }
        if !recencyDone { recency.remove(slot) }
        tree.remove(template: slot, from: record.leaf)
        slotByID[record.id] = nil
        slotIDs[Int(slot)] = 0
        templateBytes -= slotBytes[Int(slot)]
        slotBytes[Int(slot)] = 0
        freeSlots.append(slot)
        return record
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
