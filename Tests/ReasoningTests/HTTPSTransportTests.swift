import Foundation
import Testing
@testable import Reasoning

/// `https://` endpoints through libcurl (loaded at run time) against a real TLS server: the
/// scripted server behind a self-signed certificate made with openssl for the test.
@Suite(.serialized) struct HTTPSTransportTests {
    /// (certificate, key) for 127.0.0.1 in a fresh directory; nil (test skipped) without openssl.
    static func certificate() throws -> (cert: String, key: String)? {
        let dir = Paths.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw ChildServerError(message: "openssl req failed") }
        return (dir + "/cert.pem", dir + "/key.pem")
    }

    static func chatRequest() -> [UInt8] {
        Array(#"{"model":"scripted","messages":[{"role":"user","content":"kernel: disk failure"}]}"#.utf8)
    }

    @Test(.enabled(if: CurlTransport.unavailableReason() == nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
                   "needs libcurl for the https transport and /usr/bin/openssl for a test certificate"))
    func httpsRequestsGoThroughLibcurlWithCertificateChecks() async throws {
        let (cert, key) = try #require(try Self.certificate())
        let server = try ChildServer(executable: "/usr/bin/env",
                                     arguments: ["python3", Paths.fixtures + "/scripted_llm_server.py", "--tls", cert, key],
                                     prefix: "port ", timeout: .seconds(20))
        defer { server.stop() }
        let port = Int(server.firstLine.dropFirst("port ".count))!
        func post(_ mode: String, timeout: Duration = .seconds(10), caFile: String? = cert) async -> Result<HTTPResponse, HTTPFailure> {
            await CurlTransport(caFile: caFile).post(HTTPPost(
                url: URL(string: "https://127.0.0.1:\(port)/\(mode)/v1/chat/completions")!,
                headers: [("Content-Type", "application/json")], body: Self.chatRequest(), timeout: timeout))
        }

        // A completion over TLS, trusting the test's certificate.
        let ok = try await post("normal").get()
        #expect(ok.status == 200)
        let reply = try JSONSerialization.jsonObject(with: Data(ok.body)) as? [String: Any]
        #expect((reply?["choices"] as? [Any])?.count == 1)
        #expect(ok.headers["content-type"]?.hasPrefix("application/json") == true)

        // Status and headers come through as they are (429 with Retry-After).
        let limited = try await post("429").get()
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "1")

        // Without that certificate the system's CA store does not trust the server.
        guard case let .failure(.failed(detail)) = await post("normal", caFile: nil) else {
            Issue.record("a self-signed server was trusted")
            return
        }
        #expect(detail.lowercased().contains("certificate"), "\(detail)")

        // A server that never answers: a timeout, not a hang.
        let started = ContinuousClock.now
        guard case .failure(.timeout) = await post("hang", timeout: .seconds(1)) else {
            Issue.record("a hung https server did not time out")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))

    }
}
