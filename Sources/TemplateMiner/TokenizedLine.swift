/// One token of a line: the hash of its masked text, where its word is in the line, where
/// its masked text is (in `TokenizedLine.masked` when it holds a value, else in the line:
/// a token without values is its own word).
struct Token: Sendable {
    var hash: UInt64 = 0
    var wordStart: Int32 = 0
    var wordEnd: Int32 = 0
    var maskedStart: Int32 = 0
    var maskedEnd: Int32 = 0
    var hasMask = false
}

/// A line range that masking replaced by `<*>`, and its token.
struct ParamSpan: Sendable {
    var start: Int32 = 0
    var end: Int32 = 0
    var token: Int32 = 0
}

/// One line split into masked tokens, in buffers sized once for the longest line allowed
/// and reused, so that mining a line allocates nothing for its tokens. Only the first
/// `count` tokens and `paramCount` spans are valid.
struct TokenizedLine: Sendable {
    var tokens: [Token] = []
    var params: [ParamSpan] = []
    var masked: [UInt8] = []
    var count = 0
    var paramCount = 0
    /// Exact-match key: the combined hash of the token count and all token hashes.
    var sequenceHash: UInt64 = 0
    var truncated = false

    /// Makes the buffers big enough for a line of `length` bytes (a value adds at most
    /// three bytes, `<*>`, and there is at most one value per byte plus one).
    mutating func prepare(length: Int, maxTokens: Int) {
        if tokens.count < maxTokens + 1 { tokens = Array(repeating: Token(), count: maxTokens + 1) }
        if params.count < length + 2 { params = Array(repeating: ParamSpan(), count: max(64, length + 2)) }
        if masked.count < 4 * length + 8 { masked = Array(repeating: 0, count: max(512, 4 * length + 8)) }
    }

    func hash(_ index: Int) -> UInt64 { tokens[index].hash }

    /// The masked text of token `index`.
    func maskedText(_ index: Int, line bytes: UnsafeBufferPointer<UInt8>) -> String {
        let t = tokens[index]
        let range = Int(t.maskedStart)..<Int(t.maskedEnd)
        if t.hasMask { return String(decoding: masked[range], as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
