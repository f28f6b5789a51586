import RationCore
import Foundation

/// Where an endpoint's API key lives. Never in the configuration text itself.
public enum APIKeySource: Sendable, Hashable {
    /// A file holding the key (trailing whitespace ignored), e.g. `/etc/rationd/openai.key`.
    case file(String)
    /// A systemd credential (`LoadCredential=`/`SetCredentialEncrypted=`), read from
    /// `$CREDENTIALS_DIRECTORY/<name>`.
    case credential(String)

    /// Where the key is read from, for messages.
    public var location: String {
        switch self {
        case let .file(path): path
        case let .credential(name): "credential \(name)"
        }
    }

    /// Reads the key now; nil when the file is empty (what `make install` and the package
    /// leave for "no key": requests go without an Authorization header). `environment` is
    /// injectable for tests.
    public func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ReasoningError) -> String? {
        let path: String
        switch self {
        case let .file(file): path = file
        case let .credential(name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
                throw .apiKey(path: "credential \(name)", detail: "$CREDENTIALS_DIRECTORY is not set (no LoadCredential= in the unit?)")
            }
            path = directory + "/" + name
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .apiKey(path: path, detail: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .apiKey(path: path, detail: "not UTF-8") }
        let key = text.trimmingWhitespace()
        guard !key.isEmpty else { return nil }
        guard !key.contains(where: { $0.isNewline }) else { throw .apiKey(path: path, detail: "more than one line") }
        return key
    }
}
