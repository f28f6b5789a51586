/// One line split into masked tokens, kept in reusable buffers so that mining a line makes
/// no per-token allocation. Ranges index the line bytes (`word*`, `param*`) or `masked`.
struct TokenizedLine: Sendable {
    var count = 0
    /// Hash of each token's masked text.
    var hashes: [UInt64] = []
    /// True when the masked token contains a parameter marker (`<*>`): such a token
    /// selects the wildcard branch of the prefix tree.
    var hasMask: [Bool] = []
    var wordStart: [Int32] = []
    var wordEnd: [Int32] = []
    var maskedStart: [Int32] = []
    var maskedEnd: [Int32] = []
    /// Masked texts of all tokens, back to back.
    var masked: [UInt8] = []
    /// Original byte ranges that masking replaced, in line order, with their token.
    var paramStart: [Int32] = []
    var paramEnd: [Int32] = []
    var paramToken: [Int32] = []
    /// Exact-match key: the combined hash of the token count and all token hashes.
    var sequenceHash: UInt64 = 0
    var truncated = false

    init() {
        hashes.reserveCapacity(64)
        hasMask.reserveCapacity(64)
        wordStart.reserveCapacity(64)
        wordEnd.reserveCapacity(64)
        maskedStart.reserveCapacity(64)
        maskedEnd.reserveCapacity(64)
        masked.reserveCapacity(1024)
        paramStart.reserveCapacity(32)
        paramEnd.reserveCapacity(32)
        paramToken.reserveCapacity(32)
    }

    mutating func reset() {
        count = 0
        hashes.removeAll(keepingCapacity: true)
        hasMask.removeAll(keepingCapacity: true)
        wordStart.removeAll(keepingCapacity: true)
        wordEnd.removeAll(keepingCapacity: true)
        maskedStart.removeAll(keepingCapacity: true)
        maskedEnd.removeAll(keepingCapacity: true)
        masked.removeAll(keepingCapacity: true)
        paramStart.removeAll(keepingCapacity: true)
        paramEnd.removeAll(keepingCapacity: true)
        paramToken.removeAll(keepingCapacity: true)
        sequenceHash = 0
        truncated = false
    }

    /// The masked text of token `index`.
    func maskedText(_ index: Int) -> String {
        String(decoding: masked[Int(maskedStart[index])..<Int(maskedEnd[index])], as: UTF8.self)
    }
}
