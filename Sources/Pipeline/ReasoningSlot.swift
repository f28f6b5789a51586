import Reasoning
import Synchronization

/// The reasoning engine in force and the settings it runs with. A reload that changes
/// `[reasoning]` puts a new engine here; the old one finishes the windows it already accepted
/// (their verdicts still arrive) and then ends.
final class ReasoningSlot: Sendable {
    struct Current: Sendable {
        var engine: ReasoningEngine?
        /// nil: reasoning disabled.
        var configuration: ReasoningConfiguration?
        var demo: Bool
    }

    private let state: Mutex<Current>
    /// The verdict cache file, which holds the operator labels also while reasoning is off.
    let cachePath: String
    /// The cache's bounds (`reasoning.cache_size`, `reasoning.cache_max_bytes`) for opening it
    /// while reasoning is off.
    let cacheSize: Int
    let cacheMaxBytes: Int

    /// Records a damaged cache file set aside while reasoning is off.
    let recoverer: StateRecoverer?

    init(_ current: Current, cachePath: String, cacheSize: Int = VerdictCache.defaultCapacity,
         cacheMaxBytes: Int = VerdictCache.defaultMaxBytes, recoverer: StateRecoverer? = nil) {
        state = Mutex(current)
        self.cachePath = cachePath
        self.cacheSize = cacheSize
        self.cacheMaxBytes = cacheMaxBytes
        self.recoverer = recoverer
    }

    var current: Current { state.withLock { $0 } }

    /// Installs `next`; returns what it replaced.
    func replace(with next: Current) -> Current {
        state.withLock { s in
            let old = s
            s = next
            return old
        }
    }

    /// Applies a change to the operator labels: through the engine in force, or, with reasoning
    /// off, straight to the cache file, where an engine finds it once reasoning is turned on.
    @discardableResult
    func updateLabels<Result: Sendable>(_ change: @Sendable (inout VerdictCache) -> Result) async throws(ReasoningError) -> Result {
        if let engine = current.engine { return try await engine.updateLabels(change) }
        var (cache, recovery) = VerdictCache.openRecovering(path: cachePath, capacity: cacheSize, maxBytes: cacheMaxBytes)
        if let recovery { recoverer?.report(recovery) }
        let result = change(&cache)
        try cache.save()
        return result
    }

    /// Every operator label, from the engine in force or, with reasoning off, the cache file.
    func operatorLabels() async -> [VerdictCache.Override] {
        if let engine = current.engine { return await engine.operatorLabels }
        return (try? VerdictCache.open(path: cachePath, capacity: cacheSize, maxBytes: cacheMaxBytes))?.operatorOverrides ?? []
    }
}
