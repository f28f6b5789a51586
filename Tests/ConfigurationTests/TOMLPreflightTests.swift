import Configuration
import Testing

/// Documents the TOML parser would abort on (found by scripts/fuzz config) are reported as
/// errors with their line; headers, arrays and look-alikes it handles itself still parse.
@Suite struct TOMLPreflightTests {
    func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try RationdConfiguration(text: text, file: "rationd.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: ["[=]", "[.]", "[ #x]", "[é]", "[\u{FFFD}miner]", "[[ é]]", "[ \t*]", "[\n", "[\r\n", "[[ [x]]"])
    func headerStartingWithNoKeyIsAnError(_ header: String) throws {
        let e = try #require(error("[miner]\ndepth = 4\n\n" + header + "\n"))
        #expect(e.line == 4)
        #expect(e.message.contains("table header"))
    }

    @Test(arguments: ["[}]", "[ }]", "[1, }]", "[\n}]", "[[}]]", "[{}, }]", "[#\n}]", "{b = [}]}", "[\u{2028}]"])
    func closingBraceWhereAnArrayValueBelongsIsAnError(_ value: String) throws {
        let e = try #require(error("[reasoning]\nendpoints = " + value + "\n"))
        #expect(e.line == 2 || e.line == 3)
        #expect(e.message.contains("an array holds a value"))
    }

    /// The document the fuzzer shrank its second crash from: the shipped file with
    /// `endpoints = [}"http://…"]`.
    @Test func fuzzerCrashInputIsAnError() throws {
        let e = try #require(error("[reasoning]\n#ma, hosted), tried in order.\nendpoints = [}\"http://063.0.0.1:8080/v1\"]\n"))
        #expect(e.line == 3)
    }

    @Test func lookAlikesInsideValuesAreNotProblems() throws {
        let e = try #require(error("""
        [miner]
        depth = 4
        extra_masks = [
        [ "=", "}" ],
        ]
        note = \"\"\"
        [=]
        [}]\"\"\"
        literal = '''
        [.]'''
        """))
        // The parser got the document: what it rejects are the keys, not the syntax.
        #expect(!e.message.contains("TOML syntax"))
    }

    @Test func ordinaryHeadersAndArraysStillParse() throws {
        #expect(error("[miner]\ndepth = 4\n[ \"store\" ]\n[reasoning]\nendpoints = [\n  \"http://127.0.0.1:8080/v1\", # local\n]\n") == nil)
    }
}
