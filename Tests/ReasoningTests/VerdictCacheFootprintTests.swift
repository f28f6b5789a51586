import RationCore
import Testing
@testable import Reasoning

/// Fills a verdict cache with typical entries and prints the bytes it accounts for per entry
/// beside the growth of the process's anonymous memory per entry (`scripts/memory-budget`
/// runs it alone for docs/operations.md, "Memory budget").
@Suite struct VerdictCacheFootprintTests {
    @Test func accountedBytesPerVerdict() {
        let n = 20_000
        let before = ResidentMemory.anonymousBytes()
        var cache = VerdictCache(capacity: n, maxBytes: .max)
        for i in 0..<n {
            let text = "session \(i) of user <*> opened from <*> port <*> after <*> attempts on node-\(i % 97)"
            let rationale = String(repeating: "The template reports a routine session event. ", count: 8)
            cache.store(Verdict(label: .normal, status: .verified, rationale: rationale + "\(i)", model: "qwen2.5-7b-instruct",
                                verifierScore: 2.5),
                        for: .init(templateText: text, model: "qwen2.5-7b-instruct", promptVersion: "ration-v3"))
        }
        let after = ResidentMemory.anonymousBytes()
        #expect(cache.count == n)
        let accounted = cache.bytes / n
        let resident = before.flatMap { b in after.map { ($0 - b) / n } }
        print("footprint: verdict cache: \(n) entries, accounted \(accounted) B each, resident \(resident.map(String.init) ?? "-") B each")
        #expect(accounted > 400, "each entry holds its template text and rationale")
    }
}
