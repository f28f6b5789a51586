import Synchronization

/// Operator masks compiled once. `Regex` is not `Sendable` (it compiles lazily inside), so
/// the compiled patterns sit behind a mutex; the lock is taken only for words checked
/// against configured masks, never when there are none.
final class ExtraMaskMatcher: Sendable {
    private let regexes: Mutex<[Regex<AnyRegexOutput>]>
    let isEmpty: Bool

    init(_ rules: [MaskingRule]) {
        let compiled = rules.compactMap { try? $0.compiled() }
        isEmpty = compiled.isEmpty
        regexes = Mutex(compiled)
    }

    func matches(_ word: String) -> Bool {
        regexes.withLock { list in
            for regex in list where (try? regex.wholeMatch(in: word)) != nil { return true }
            return false
        }
    }
}
