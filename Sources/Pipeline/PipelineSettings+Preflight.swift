import Configuration
import Foundation

/// The start-up checks that read beyond the configuration text, shared by `rationd run` and
/// `rationd --check-config`: settings built (`init`), then what the engine reads at start.
extension PipelineSettings {
    /// Checks a configuration the way `rationd run` starts from it; returns the settings and
    /// notices worth showing (nothing is wrong, but the operator may not expect it).
    public static func preflight(_ configuration: RationdConfiguration,
                                 environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PipelineError) -> (settings: PipelineSettings, notices: [String]) {
        let settings = try PipelineSettings(configuration, environment: environment)
        var notices: [String] = []
        let r = configuration.reasoning
        if r.enabled, r.apiKeyFile == nil, let credential = r.apiKeyCredential, environment["CREDENTIALS_DIRECTORY"] == nil {
            notices.append("reasoning.api_key_credential \"\(credential)\" is read from $CREDENTIALS_DIRECTORY under systemd; not checked here")
        }
        if let reasoning = settings.reasoning {
            do { notices += try reasoning.preflight() } catch { throw .configuration(key: "reasoning", reason: error.description) }
        }
        return (settings, notices)
    }
}
