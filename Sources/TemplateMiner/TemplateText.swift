/// A template's words in one byte buffer, separated by single spaces: one allocation per
/// template instead of one string per word, and the text is the buffer as it stands.
/// Bytes are kept as the line had them; invalid UTF-8 is repaired when read as a string.
struct TemplateText: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Offset of each word in `bytes`.
    private var starts: [Int32] = []

    init() {}

    /// Room for `words` words of `bytes` bytes in all (separators included), so appending
    /// allocates once.
    init(reservingWords words: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        starts.reserveCapacity(words)
    }

    init(_ words: [String]) {
        for word in words { append(word.utf8) }
    }

    var count: Int { starts.count }

    mutating func append<Bytes: Collection>(_ word: Bytes) where Bytes.Element == UInt8 {
        if !starts.isEmpty { bytes.append(0x20) }
        starts.append(Int32(bytes.count))
        bytes.append(contentsOf: word)
    }

    private func range(_ index: Int) -> Range<Int> {
        let end = index + 1 < starts.count ? Int(starts[index + 1]) - 1 : bytes.count
        return Int(starts[index])..<end
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
