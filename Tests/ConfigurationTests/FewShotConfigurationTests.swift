import Configuration
import Testing

/// `[reasoning]` few-shot keys: typed, bounded, and errors that name the line.
@Suite struct FewShotConfigurationTests {
    @Test func keysAreReadWithTheirDefaults() throws {
        #expect(RationdConfiguration().reasoning.fewShotExamples == 3)
        #expect(RationdConfiguration().reasoning.fewShotMaxTokens == 400)
        #expect(RationdConfiguration().reasoning.fewShotFile == nil)
        let c = try RationdConfiguration(text: """
            [reasoning]
            few_shot_examples = 0
            few_shot_max_tokens = 1200
            few_shot_file = "/var/lib/rationd/distilled.jsonl"
            """, file: "t.toml")
        #expect(c.reasoning.fewShotExamples == 0 && c.reasoning.fewShotMaxTokens == 1200)
        #expect(c.reasoning.fewShotFile == "/var/lib/rationd/distilled.jsonl")
    }

    @Test func badValuesNameTheKeyAndLine() {
        func error(_ text: String) -> ConfigurationError? {
            do { _ = try RationdConfiguration(text: text, file: "t.toml"); return nil } catch { return error }
        }
        let relative = error("[reasoning]\nmodel = \"m\"\nfew_shot_file = \"labels.csv\"\n")
        #expect(relative?.key == "reasoning.few_shot_file" && relative?.line == 3)
        #expect(relative?.message.contains("absolute path") == true)
        let tooMany = error("[reasoning]\nfew_shot_examples = 33\n")
        #expect(tooMany?.key == "reasoning.few_shot_examples" && tooMany?.line == 2)
        let negative = error("[reasoning]\nfew_shot_max_tokens = -1\n")
        #expect(negative?.key == "reasoning.few_shot_max_tokens")
        let typo = error("[reasoning]\nfew_shot_example = 2\n")
        #expect(typo?.key == "reasoning.few_shot_example" && typo?.message.contains("unknown key") == true)
    }
}
