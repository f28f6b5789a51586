/// Chooses the labelled templates most similar to the template being judged, as few-shot
/// examples for its prompt. A value type without I/O: the engine owns one and feeds it the
/// operator's labels as they arrive.
///
/// Similarity is the Jaccard index of the two templates' word sets (lower-cased runs of
/// letters and digits; `<*>` ignored), compared exactly as fractions. Only examples sharing at
/// least one word are candidates. Candidates are taken most similar first (ties: template
/// text, then label, in byte order) while they fit `maxExamples` and the token budget; one
/// that does not fit is passed over for smaller ones. The result is in prompt order, the most
/// similar last, next to the question. Same labels and same template: same examples, same order.
public struct FewShotSelector: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Most examples per prompt; 0 disables few-shot prompting.
        public var maxExamples: Int
        /// Most estimated tokens all examples of one prompt may take (see `estimatedTokens`).
        public var maxTokens: Int
        /// A CSV of labelled templates used as examples besides the operator's labels.
        public var examplesPath: String?

        public init(maxExamples: Int = 3, maxTokens: Int = 400, examplesPath: String? = nil) {
            self.maxExamples = maxExamples
            self.maxTokens = maxTokens
            self.examplesPath = examplesPath
        }
    }

    public let configuration: Configuration
    /// The instruction each example's user turn starts with (counted in its cost).
    public let instruction: String

    private struct Indexed: Sendable {
        var example: LabelledExample
        var wordCount: Int
        var cost: Int
    }

    private var operatorExamples: [String: LabelledExample] = [:]
    private var fileExamples: [String: LabelledExample] = [:]
    /// The examples in effect (the operator's wins over a file row of the same text).
    private var entries: [Indexed] = []
    private var position: [String: Int] = [:]
    /// Word → indices into `entries` of the examples holding it.
    private var postings: [String: [Int]] = [:]

    public init(configuration: Configuration, instruction: String, examples: [LabelledExample] = []) {
        self.configuration = configuration
        self.instruction = instruction
        for example in examples { add(example) }
    }

    public var count: Int { entries.count }

    /// Adds or replaces the example for its template text (operator and file examples are
    /// kept apart; the operator's wins while it exists).
    public mutating func add(_ example: LabelledExample) {
        switch example.origin {
        case .operator: operatorExamples[example.templateText] = example
        case .file: fileExamples[example.templateText] = example
        }
        guard let effective = effective(example.templateText) else { return }
        let cost = cost(of: effective)
        if let index = position[example.templateText] {
            entries[index].example = effective
            entries[index].cost = cost
            return
        }
        let words = Self.words(of: example.templateText)
        position[example.templateText] = entries.count
        for word in words { postings[word, default: []].append(entries.count) }
        entries.append(Indexed(example: effective, wordCount: words.count, cost: cost))
    }

    /// The operator's example for a text, or else the file's. An operator label without a note
    /// takes the analysis of a file row that agrees with it (a distilled analysis, say).
    private func effective(_ text: String) -> LabelledExample? {
        guard var example = operatorExamples[text] else { return fileExamples[text] }
        if example.analysis == nil, let row = fileExamples[text], row.label == example.label { example.analysis = row.analysis }
        return example
    }

    /// Replaces every operator example (labels were set or withdrawn); a file example of a
    /// text no longer labelled by the operator shows again.
    public mutating func replaceOperatorExamples(_ examples: [LabelledExample]) {
        let files = fileExamples.values.sorted { $0.templateText < $1.templateText }
        operatorExamples.removeAll()
        fileExamples.removeAll()
        entries.removeAll()
        position.removeAll()
        postings.removeAll()
        for example in examples {
            var example = example
            example.origin = .operator
            add(example)
        }
        for example in files { add(example) }
    }

    /// The examples for a prompt about `templateText`, in prompt order (most similar last).
    /// Empty when disabled, when nothing is labelled, or when no labelled template shares a word.
    public func select(for templateText: String) -> [LabelledExample] {
        guard configuration.maxExamples > 0, configuration.maxTokens > 0, !entries.isEmpty else { return [] }
        let words = Self.words(of: templateText)
        // Shared words per example, accumulated from the postings of the query's words.
        var shared = [Int](repeating: 0, count: entries.count)
        var touched: [Int] = []
        for word in words {
            for index in postings[word] ?? [] {
                if shared[index] == 0 { touched.append(index) }
                shared[index] += 1
            }
        }
        var scored: [(index: Int, shared: Int, union: Int)] = []
        scored.reserveCapacity(touched.count)
        for index in touched where entries[index].example.templateText != templateText {
            scored.append((index, shared[index], entries[index].wordCount + words.count - shared[index]))
        }
        scored.sort { a, b in
            // a.shared / a.union > b.shared / b.union, exactly.
            let left = a.shared * b.union, right = b.shared * a.union
            if left != right { return left > right }
            let x = entries[a.index].example, y = entries[b.index].example
            if x.templateText != y.templateText {
                return x.templateText.utf8.lexicographicallyPrecedes(y.templateText.utf8)
            }
            return x.label.rawValue < y.label.rawValue
        }
        var chosen: [LabelledExample] = []
        var budget = configuration.maxTokens
        for candidate in scored where chosen.count < configuration.maxExamples {
            let entry = entries[candidate.index]
            guard entry.cost <= budget else { continue }
            budget -= entry.cost
            chosen.append(entry.example)
        }
        return chosen.reversed()
    }

    /// The estimated tokens an example adds to a prompt: both turns' text plus the chat
    /// template's per-message overhead.
    public func cost(of example: LabelledExample) -> Int {
        Self.estimatedTokens(example.userContent(instruction: instruction)) + Self.estimatedTokens(example.assistantContent)
            + 2 * Self.perMessageOverhead
    }

    /// Role markers and separators a chat template adds per message (Llama, ChatML: 3–5).
    public static let perMessageOverhead = 4

    /// A cheap, deliberately high token estimate: one token per 3 UTF-8 bytes, rounded up.
    /// Log text is rich in digits and punctuation, which BPE vocabularies split finely; real
    /// tokenizers give 3–4 bytes per token on such text, so the budget is rarely exceeded.
    public static func estimatedTokens(_ text: String) -> Int { (text.utf8.count + 2) / 3 }

    /// Lower-cased runs of ASCII letters and digits (other bytes, such as UTF-8 letters, too),
    /// with the `<*>` wildcard removed first.
    static func words(of text: String) -> Set<String> {
        var words = Set<String>()
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty { words.insert(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        for byte in text.replacingAll("<*>", with: " ").utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: current.append(byte)
            default: flush()
            }
        }
        flush()
        return words
    }

    /// A stable 64-bit fingerprint (FNV-1a) of an example list, for the verdict cache key:
    /// verdicts computed with other examples (or none) are not served for this prompt.
    public static func fingerprint(_ examples: [LabelledExample]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
            hash ^= 0x1F
            hash &*= 0x0000_0100_0000_01b3
        }
        for example in examples {
            mix(example.templateText)
            mix(example.label.rawValue)
            mix(example.assistantContent)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
