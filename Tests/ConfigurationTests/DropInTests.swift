import Foundation
import Testing
@testable import Configuration

/// `rationd.toml.d/*.toml` drop-ins: read after the main file in lexical order; tables merge,
/// a repeated key replaces, arrays of tables append; errors name the drop-in's file and line.
@Suite struct DropInTests {
    /// A directory with `rationd.toml` and the given drop-ins (name -> text).
    func files(_ main: String, _ dropIns: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rationd-dropins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/rationd.toml.d", withIntermediateDirectories: true)
        try main.write(toFile: directory + "/rationd.toml", atomically: true, encoding: .utf8)
        for (name, text) in dropIns {
            try text.write(toFile: directory + "/rationd.toml.d/" + name, atomically: true, encoding: .utf8)
        }
        return directory + "/rationd.toml"
    }

    static let main = """
    [miner]
    depth = 5
    similarity_threshold = 0.8

    [[sources.files]]
    name = "syslog"
    path = "/var/log/syslog"
    """

    @Test func tablesMergeKeysReplaceAndArraysOfTablesAppend() throws {
        let path = try files(Self.main, [
            "20-site.toml": """
            [miner]
            similarity_threshold = 0.9
            [[sources.files]]
            name = "app"
            path = "/srv/app/*.log"
            """,
            "10-first.toml": "[miner]\nsimilarity_threshold = 0.7\nmax_templates = 500\n",
            "README": "not toml, not read",
        ])
        #expect(RationdConfiguration.files(for: path).map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["rationd.toml", "10-first.toml", "20-site.toml"])
        let c = try RationdConfiguration(contentsOf: path)
        #expect(c.miner.depth == 5)                    // main file, untouched
        #expect(c.miner.similarityThreshold == 0.9)    // 20-site replaced 10-first, which replaced main
        #expect(c.miner.maxTemplates == 500)           // added by 10-first
        #expect(c.sources.files.map(\.name) == ["syslog", "app"])
    }

    @Test func anErrorInADropInNamesItsFileAndLine() throws {
        let path = try files(Self.main, ["50-broken.toml": "# site\n\n[miner]\ndepth = \"deep\"\n"])
        let error = try #require(throws: ConfigurationError.self) { try RationdConfiguration(contentsOf: path) }
        #expect(error.file.hasSuffix("rationd.toml.d/50-broken.toml"))
        #expect(error.line == 4)
        #expect(error.key == "miner.depth")
    }

    @Test func aDropInThatBreaksTheMergedFileIsNamed() throws {
        // Each file is valid alone; together the second source name repeats the first.
        let path = try files(Self.main, ["50-dup.toml": "\n[[sources.files]]\nname = \"syslog\"\npath = \"/tmp/other.log\"\n"])
        let error = try #require(throws: ConfigurationError.self) { try RationdConfiguration(contentsOf: path) }
        #expect(error.file.hasSuffix("rationd.toml.d/50-dup.toml"), "\(error)")
        #expect(error.line == 2 || error.line == 3, "\(error)")
        let unknown = try files(Self.main, ["60-typo.toml": "[miner]\ndepht = 3\n"])
        let typo = try #require(throws: ConfigurationError.self) { try RationdConfiguration(contentsOf: unknown) }
        #expect(typo.file.hasSuffix("60-typo.toml") && typo.line == 2 && typo.key == "miner.depht", "\(typo)")
    }

    @Test func aSyntaxErrorInADropInNamesIt() throws {
        let path = try files(Self.main, ["50-syntax.toml": "[miner\n"])
        let error = try #require(throws: ConfigurationError.self) { try RationdConfiguration(contentsOf: path) }
        #expect(error.file.hasSuffix("50-syntax.toml"))
        #expect(error.message.contains("TOML syntax"))
    }

    @Test func showListsEachKeyWithWhereItWasSet() throws {
        let path = try files(Self.main, ["50-site.toml": "[miner]\nsimilarity_threshold = 0.9\n[[sources.files]]\nname = \"app\"\npath = \"/srv/a\\tb.log\"\n"])
        let text = try EffectiveConfiguration.render(path: path)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("depth = 5  # ") && $0.hasSuffix("/rationd.toml:2") })
        #expect(lines.contains { $0.hasPrefix("similarity_threshold = 0.9  # ") && $0.hasSuffix("50-site.toml:2") })
        // The replaced key stays where the main file has it: before depth's neighbours from the drop-in.
        let miner = try #require(lines.firstIndex(of: "[miner]"))
        #expect(lines[miner + 1].hasPrefix("depth = 5"))
        #expect(lines[miner + 2].hasPrefix("similarity_threshold = 0.9"))
        #expect(lines.contains { $0.hasPrefix("[[sources.files]]  # ") && $0.hasSuffix("50-site.toml:3") })
        // Control characters are escaped, so the listing is valid TOML that reads back the same.
        #expect(lines.contains("path = \"/srv/a\\tb.log\"  # \(path).d/50-site.toml:5"))
        let reread = try RationdConfiguration(text: text)
        #expect(reread == (try RationdConfiguration(contentsOf: path)))
    }
}
