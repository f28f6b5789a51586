import Testing
@testable import TemplateMiner

/// Template texts keep their words whether the offsets are derived from the spaces or stored
/// (a word that holds a space), through replacement, and when built from a tokenised line.
@Suite struct TemplateTextTests {
    @Test func wordsWithoutSpacesAreFoundBetweenTheSpaces() {
        var text = TemplateText(["Receiving", "block", "", "src:", "<*>"])
        #expect(text.count == 5)
        #expect(text.words == ["Receiving", "block", "", "src:", "<*>"])
        #expect(text.string == "Receiving block  src: <*>")
        text.replace(1, with: "<*>")
        #expect(text.words == ["Receiving", "<*>", "", "src:", "<*>"])
        #expect(text.string == "Receiving <*>  src: <*>")
    }

    @Test func aWordWithASpaceKeepsEveryWord() {
        for words in [["a b", "c", "d"], ["a", "b c", "d"], ["a", "b", "c d"], ["x y"], [" ", "z"]] {
            var text = TemplateText(words)
            #expect(text.words == words)
            #expect(text.string == words.joined(separator: " "))
            text.replace(words.count - 1, with: "<*>")
            var expected = words
            expected[words.count - 1] = "<*>"
            #expect(text.words == expected)
        }
    }

    @Test func aTokenisedLineGivesItsMaskedWords() {
        let tokenizer = LineTokenizer(configuration: .default)
        var line = TokenizedLine()
        // The second line's first word holds spaces (a quoted value's literal part).
        for (input, words) in [("Served block blk_-1608999687919862906 to /10.250.14.38", ["Served", "block", "<*>", "to", "/<*>"]),
                               ("key='a \"b c\" d' done", ["key='<*>\"b c\" d'", "done"]),
                               ("", [])] {
            let bytes = Array(input.utf8)
            let text = bytes.withUnsafeBufferPointer { b in
                tokenizer.tokenize(b, into: &line)
                return line.tokens.withUnsafeBufferPointer { tokens in
                    line.masked.withUnsafeBufferPointer { masked in
                        TemplateText(maskedWordsOf: UnsafeBufferPointer(rebasing: tokens[0..<line.count]), masked: masked, in: b)
                    }
                }
            }
            #expect(text.words == words, "\(input)")
            #expect(text.string == words.joined(separator: " "))
        }
    }
}
