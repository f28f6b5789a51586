import Configuration
import Testing

/// Table headers the TOML parser would abort on (found by scripts/fuzz config) are reported
/// as errors with their line; headers and look-alikes it handles itself still parse.
@Suite struct TableHeaderCheckTests {
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

    @Test func headerLookAlikesInsideValuesAreNotHeaders() throws {
        let e = try #require(error("""
        [miner]
        depth = 4
        extra_masks = [
        [ "=" ],
        ]
        note = \"\"\"
        [=]\"\"\"
        literal = '''
        [.]'''
        """))
        // The parser got the document: what it rejects are the keys, not a header.
        #expect(!e.message.contains("table header"))
    }

    @Test func ordinaryHeadersStillParse() throws {
        #expect(error("[miner]\ndepth = 4\n[ \"store\" ]\n[[sources.files]]\npath = \"/var/log/a.log\"\n") == nil)
    }
}
