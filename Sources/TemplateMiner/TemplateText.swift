/// A template's words in one byte buffer, separated by single spaces: one allocation per
/// template instead of one string per word, and the text is the buffer as it stands.
/// Bytes are kept as the line had them; invalid UTF-8 is repaired when read as a string.
///
/// Word offsets are derived from the spaces while no word holds a space (words are cut at
/// whitespace, so only an odd quoted value makes one that does): that saves a second
/// allocation per template, which counts when every line makes one. Only a text with such a
/// word stores its offsets.
struct TemplateText: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Offset of each word in `bytes`; empty while the offsets are derived from the spaces.
    private var starts: [Int32] = []
    private(set) var count = 0

    init() {}

    /// The masked words of a line's `tokens` (their text in `masked` for a token with a
    /// value, else in the line's `bytes`), in a buffer allocated once at its exact size.
    init(maskedWordsOf tokens: UnsafeBufferPointer<Token>, masked: UnsafeBufferPointer<UInt8>,
         in bytes: UnsafeBufferPointer<UInt8>) {
        let n = tokens.count
        guard n > 0 else { return }
        var total = n - 1
        for t in tokens { total += Int(t.maskedEnd - t.maskedStart) }
        // Reserved then appended: `Array(repeating:count:)` and
        // `init(unsafeUninitializedCapacity:)` are not specialised here and look the storage
        // type up at run time on every call.
        self.bytes.reserveCapacity(total)
        var spaced = false
        for i in 0..<n {
            let t = tokens[i]
            if i > 0 { self.bytes.append(0x20) }
            let start = Int(t.maskedStart)
            let word = UnsafeBufferPointer(start: (t.hasMask ? masked.baseAddress! : bytes.baseAddress!) + start,
                                           count: Int(t.maskedEnd) - start)
            // A token without a value is a whitespace-free word of the line.
            if t.hasMask && !spaced { spaced = word.contains(0x20) }
            self.bytes.append(contentsOf: word)
        }
        count = n
        if spaced { starts = Self.offsets(of: tokens) }
    }

    init(_ words: [String]) {
        for word in words { append(word.utf8) }
    }

    mutating func append<Bytes: Collection>(_ word: Bytes) where Bytes.Element == UInt8 {
        if count > 0 { bytes.append(0x20) }
        if starts.isEmpty && word.contains(0x20) {
            starts = (0..<count).map { Int32(derivedRange($0).lowerBound) }
        }
        if !starts.isEmpty || word.contains(0x20) { starts.append(Int32(bytes.count)) }
        bytes.append(contentsOf: word)
        count += 1
    }

    /// Offsets of the words of a text built from `tokens`.
    private static func offsets(of tokens: UnsafeBufferPointer<Token>) -> [Int32] {
        var result: [Int32] = []
        result.reserveCapacity(tokens.count)
        var offset: Int32 = 0
        for t in tokens {
            result.append(offset)
            offset += t.maskedEnd - t.maskedStart + 1
        }
        return result
    }

    private func range(_ index: Int) -> Range<Int> {
        if starts.isEmpty { return derivedRange(index) }
        let end = index + 1 < starts.count ? Int(starts[index + 1]) - 1 : bytes.count
        return Int(starts[index])..<end
    }

    /// Word `index` as what lies between the spaces (valid while no word holds a space).
    private func derivedRange(_ index: Int) -> Range<Int> {
        var start = 0
        var word = 0
        while word < index {
            while bytes[start] != 0x20 { start += 1 }
            start += 1
            word += 1
        }
        var end = start
        while end < bytes.count && bytes[end] != 0x20 { end += 1 }
        return start..<end
    }

    subscript(index: Int) -> String {
        String(decoding: bytes[range(index)], as: UTF8.self)
    }

    var words: [String] { (0..<count).map { self[$0] } }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Replaces word `index` (rare: a position becoming a parameter), rebuilding the buffer.
    mutating func replace(_ index: Int, with word: String) {
        var rebuilt = TemplateText()
        for i in 0..<count {
            if i == index { rebuilt.append(word.utf8) } else { rebuilt.append(bytes[range(i)]) }
        }
        self = rebuilt
    }
}
