import Foundation
@testable import TemplateMiner

/// Test fixtures bundled with the test target (see Fixtures/README.md).
enum Fixture {
    static let hdfsFormat = "<Date> <Time> <Pid> <Level> <Component>: <Content>"

    static func url(_ name: String) throws -> URL {
        guard let base = Bundle.module.resourceURL else { throw FixtureError.missing(name) }
        let url = base.appendingPathComponent("Fixtures").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(name) }
        return url
    }

    static func lines(_ name: String) throws -> [String] {
        let text = try String(contentsOf: url(name), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { String($0) }
    }

    /// The `<Content>` of every line of HDFS_2k.log.
    static func hdfsContents() throws -> [String] {
        let format = try LogFormat(hdfsFormat)
        return try lines("HDFS_2k.log").map { line in
            guard let content = format.content(of: line) else { throw FixtureError.unparsable(line) }
            return String(content)
        }
    }

    enum FixtureError: Error { case missing(String), unparsable(String) }
}

extension TemplateMiner {
    /// Mines `line` and returns its template text.
    mutating func text(of line: String) -> String {
        template(for: mine(line).templateID) ?? "<evicted>"
    }
}
