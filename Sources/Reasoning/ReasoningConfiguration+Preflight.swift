/// What the engine reads from disk when it starts, read now: endpoints' URLs, API keys and the
/// few-shot file. `rationd --check-config` calls this so that a file it passes does not fail
/// at start; the engine's own start reads through the same code.
extension ReasoningConfiguration {
    /// Throws what the engine's start would; returns notices (an empty key file means "no key").
    public func preflight() throws(ReasoningError) -> [String] {
        try validate()
        var notices: [String] = []
        for endpoint in endpoints {
            _ = try OpenAIChatClient(endpoint: endpoint, timeout: requestTimeout)
            if let source = endpoint.apiKey, try source.load() == nil {
                notices.append("\(source.location) is empty: requests to \(endpoint.baseURL) go without an API key")
            }
        }
        if fewShot.maxExamples > 0, let path = fewShot.examplesPath { _ = try FewShotFile.load(path: path) }
        return Array(Set(notices)).sorted()
    }
}
