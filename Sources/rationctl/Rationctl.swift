import ArgumentParser
import CBuildInfo
import Control
import Foundation

/// Queries and steers a running rationd over its varlink control socket.
/// Exit status: 0 ok, 1 error (including a varlink error reply), 2 cannot connect.
@main
struct Rationctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rationctl",
        abstract: "Query and control the rationd log anomaly daemon.",
        discussion: "Exit status: 0 success, 1 error, 2 cannot connect to the daemon.",
        version: String(cString: rationd_build_version()),
        subcommands: [StatusCommand.self, AlertsCommand.self, TemplatesCommand.self, LabelCommand.self, ReloadCommand.self]
    )

    /// Like ArgumentParser's, except that usage errors exit 1 (not 64): rationctl promises 0/1/2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's control socket.", valueName: "path"))
    var socket: String = ProcessInfo.processInfo.environment["RATIONCTL_SOCKET"] ?? "/run/rationd/io.rationd"

    @Flag(name: .long, help: "Print JSON for scripts instead of tables.")
    var json = false

    /// Connects, runs `body`, and maps failures onto the exit status.
    func withClient<T>(timeout: Duration? = .seconds(30), _ body: (VarlinkClient) throws -> T) throws -> T {
        let client: VarlinkClient
        do { client = try VarlinkClient(socketPath: socket, timeout: timeout) } catch {
            FileHandle.standardError.write(Data("rationctl: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do { return try body(client) } catch let error as VarlinkClientError {
            FileHandle.standardError.write(Data("rationctl: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

enum Output {
    static func json<T: Encodable>(_ value: T, pretty: Bool = true) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(data)
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
