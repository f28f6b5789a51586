import RationCore

/// Snapshot file layout: magic `RTMS`, format version (u32 LE), then one zstd frame holding
/// the configuration, counters, templates (least recently matched first, with their tree
/// branches) and the exact-match cache. Restoring yields the same ids, the same tree and
/// the same LRU order.
extension TemplateMiner {
    static let snapshotMagic: [UInt8] = Array("RTMS".utf8)
    public static let snapshotVersion: UInt32 = 1

    public func snapshot() throws(MinerError) -> [UInt8] {
        var w = SnapshotWriter()
        let c = configuration
        w.u32(UInt32(c.depth)); w.f64(c.similarityThreshold); w.u32(UInt32(c.maxChildren))
        w.u64(UInt64(c.maxTemplates)); w.u32(UInt32(c.maxTokens)); w.u64(UInt64(c.maxLineBytes))
        w.u64(UInt64(c.exactCacheSize))
        w.u32(UInt32(c.extraMasks.count))
        for rule in c.extraMasks { w.string(rule.name); w.string(rule.pattern) }
        w.u64(nextID)
        w.u64(stats.lines); w.u64(stats.cappedLines); w.u64(stats.truncatedLines)
        w.u64(stats.evictions); w.u64(stats.templatesCreated)
        var order: [(TemplateRecord, [UInt64], UInt64)] = []
        for slot in recency.slotsByRecency {
            guard let record = records[Int(slot)] else { continue }
            let path = tree.path(of: record.leaf)
            guard path.first != Self.overflowBranch else { continue }
            order.append((record, path, matchCounts[Int(slot)]))
        }
        w.u32(UInt32(order.count))
        for (record, path, matches) in order {
            w.u64(record.id.rawValue)
            w.u64(matches)
            w.u32(UInt32(record.hashes.count))
            for (hash, text) in zip(record.hashes, record.text.words) { w.u64(hash); w.string(text) }
            w.u32(UInt32(path.count))
            for key in path { w.u64(key) }
        }
        let live = exactCache.all.filter { slotIDs[Int($0.slot)] == $0.id }.sorted { $0.key < $1.key }
        w.u32(UInt32(live.count))
        for entry in live { w.u64(entry.key); w.u64(entry.id) }
        let body: [UInt8]
        do { body = try ZstdFrame.compress(w.bytes) } catch {
            throw .corruptSnapshot(reason: "compression failed: \(error)")
        }
        var out = Self.snapshotMagic
        var header = SnapshotWriter()
        header.u32(Self.snapshotVersion)
        out += header.bytes
        out += body
        return out
    }

    /// Restores a snapshot. With `configuration`, the miner runs with it (the daemon's
    /// current settings) provided the settings that shape tokens and tree paths (depth,
    /// tokens per line, extra masks) are the stored ones; without, with the stored settings.
    public init(snapshot bytes: [UInt8], configuration running: MinerConfiguration? = nil) throws(MinerError) {
        guard bytes.count >= 8, Array(bytes[0..<4]) == Self.snapshotMagic else {
            throw .corruptSnapshot(reason: "missing the RTMS magic (not a miner snapshot)")
        }
        var header = SnapshotReader(Array(bytes[4..<8]))
        let version = try header.u32("version")
        guard version == Self.snapshotVersion else {
            throw .unsupportedSnapshotVersion(found: version, supported: Self.snapshotVersion)
        }
        let body: [UInt8]
        do { body = try ZstdFrame.decompress(Array(bytes[8...]), limit: 1 << 30) } catch {
            throw .corruptSnapshot(reason: "body does not decompress: \(error)")
        }
        var r = SnapshotReader(body)
        let limit = body.count
        var c = MinerConfiguration.default
        c.depth = Int(try r.u32("depth"))
        c.similarityThreshold = try r.f64("similarityThreshold")
        c.maxChildren = Int(try r.u32("maxChildren"))
        c.maxTemplates = Int(truncatingIfNeeded: try r.u64("maxTemplates"))
        c.maxTokens = Int(try r.u32("maxTokens"))
        c.maxLineBytes = Int(truncatingIfNeeded: try r.u64("maxLineBytes"))
        c.exactCacheSize = Int(truncatingIfNeeded: try r.u64("exactCacheSize"))
        let masks = try r.count("mask count", limit: limit)
        c.extraMasks = []
        for _ in 0..<masks {
            c.extraMasks.append(MaskingRule(name: try r.string("mask name"), pattern: try r.string("mask pattern")))
        }
        do { try c.validate() } catch {
            throw .corruptSnapshot(reason: "stored configuration is invalid: \(error)")
        }
        if let running {
            if running.depth != c.depth { throw .snapshotConfigurationDiffers(setting: "depth") }
            if running.maxTokens != c.maxTokens { throw .snapshotConfigurationDiffers(setting: "max_tokens") }
            if running.extraMasks != c.extraMasks { throw .snapshotConfigurationDiffers(setting: "extra_masks") }
            c = running
        }
        self.init(configuration: c)
        nextID = try r.u64("next id")
        stats.lines = try r.u64("line count")
        stats.cappedLines = try r.u64("capped line count")
        stats.truncatedLines = try r.u64("truncated line count")
        stats.evictions = try r.u64("eviction count")
        stats.templatesCreated = try r.u64("created template count")
        let count = try r.count("template count", limit: limit)
        for index in 0..<count {
            let id = TemplateID(try r.u64("template \(index) id"))
            guard id.rawValue < nextID, slotByID[id] == nil else {
                throw .corruptSnapshot(reason: "template \(index) has a duplicate or out-of-range id \(id)")
            }
            let matches = try r.u64("template \(index) matches")
            let tokens = try r.count("template \(index) token count", limit: limit)
            var hashes: [UInt64] = []
            var texts: [String] = []
            var wildcards = 0
            for _ in 0..<tokens {
                let hash = try r.u64("template \(index) token hash")
                hashes.append(hash)
                texts.append(try r.string("template \(index) token text"))
                if hash == PrefixTree.wildcardKey { wildcards += 1 }
            }
            let depth = try r.count("template \(index) path length", limit: limit)
            var path: [UInt64] = []
            for _ in 0..<depth { path.append(try r.u64("template \(index) path key")) }
            guard path.first == UInt64(tokens), path.count == min(c.depth - 2, tokens) + 1 else {
                throw .corruptSnapshot(reason: "template \(index) (\(id)) has a tree path that does not fit its \(tokens) tokens")
            }
            _ = insert(TemplateRecord(id: id, hashes: hashes, text: TemplateText(texts), leaf: -1, wildcards: wildcards),
                       path: path, matches: matches)
        }
        let cached = try r.count("cache size", limit: limit)
        for _ in 0..<cached {
            let key = try r.u64("cache key")
            let id = TemplateID(try r.u64("cache template id"))
            guard let slot = slotByID[id] else {
                throw .corruptSnapshot(reason: "cache entry names template \(id), which the snapshot does not hold")
            }
            exactCache.insert(key, id: id.rawValue, slot: slot)
        }
        guard r.isAtEnd else { throw .corruptSnapshot(reason: "\(body.count - r.offset) unexpected bytes after the cache") }
    }

    /// Writes the snapshot atomically (temp file, fsync, rename, fsync directory).
    public func save(to path: String) throws(MinerError) {
        let bytes = try snapshot()
        do { try DurableFile.write(bytes, to: path, mode: 0o640) } catch {
            throw .snapshotFile(path: path, reason: error.description)
        }
    }

    /// Restores a miner from `path` (see `init(snapshot:configuration:)`); nil when the file
    /// does not exist.
    public static func load(from path: String, configuration: MinerConfiguration? = nil) throws(MinerError) -> TemplateMiner? {
        let bytes: [UInt8]?
        do { bytes = try DurableFile.read(path) } catch {
            throw .snapshotFile(path: path, reason: error.description)
        }
        guard let bytes else { return nil }
        do { return try TemplateMiner(snapshot: bytes, configuration: configuration) } catch {
            throw .snapshotFile(path: path, reason: error.description)
        }
    }
}
