import AlertFilterOptions
import AlertStore
import ArgumentParser
import Foundation
import Pipeline
import RationCore

/// `rationd alerts`: reads the alert store directory directly (read-only, no lock), so
/// alerts stay readable while the daemon is down.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List, show and check stored alerts straight from the store directory (works while the daemon is down).",
        subcommands: [List.self, Show.self, Status.self, CrashWriter.self],
        defaultSubcommand: List.self
    )

    struct StoreOptions: ParsableArguments {
        @Option(name: .long, help: "The alert store directory.")
        var directory: String = "/var/lib/rationd/alerts"

        @Flag(name: .long, help: "Print JSON instead of text.")
        var json = false

        /// Listing and showing check only the blocks they read; `status` checks every block.
        func open(verify: Bool = false) throws -> AlertStore {
            do { return try AlertStore.openReadOnly(directory: directory, verify: verify) } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alerts, newest first.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var filters: AlertFilterOptions
        @Option(help: "At least this severe: emerg, alert, crit, err, warning, notice, info or debug.")
        var severity: String?

        func validate() throws {
            if let severity, Priority(parsing: severity) == nil { throw ValidationError("--severity: unknown priority '\(severity)'") }
        }

        func run() throws {
            let alerts = try store.open()
            let results: [StoredAlert]
            do {
                results = try StoredAlertArchive(store: alerts).storedAlerts(matching: filters.query,
                                                                               severity: severity.flatMap(Priority.init(parsing:)))
            } catch { throw ValidationError("\(error)") }
            if store.json {
                print(try AlertFormatter.json(results))
            } else {
                if results.isEmpty { print("no alerts") }
                for r in results { print(AlertFormatter.line(r)) }
            }
            AlertFormatter.warnAboutDamage(alerts)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one alert in full.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The alert id.")
        var id: UInt64

        func run() throws {
            let alerts = try store.open()
            let found: StoredAlert?
            do { found = try alerts.storedAlert(id: AlertID(id)) } catch { throw ValidationError("\(error)") }
            guard let found else { throw ValidationError("alert \(id) not found in \(store.directory)") }
            print(store.json ? try AlertFormatter.json(found) : AlertFormatter.detail(found))
            AlertFormatter.warnAboutDamage(alerts)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Segments, bytes, alerts and damage found in the store.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let alerts = try store.open(verify: true)
            let status = alerts.status
            if store.json {
                print(try AlertFormatter.json(status))
                return
            }
            print("directory:        \(status.directory)")
            print("bytes used:       \(status.bytesUsed) (\(status.sealedSegments) sealed segments + \(status.activeSegmentBytes) write-ahead)")
            print("alerts:           \(status.alerts)")
            if let o = status.oldest, let n = status.newest {
                print("time range:       \(AlertFormatter.time(o)) … \(AlertFormatter.time(n))")
            }
            // Record bodies before compression, every version (see docs/store.md, quotas).
            print("sources:          \(status.sources.count)")
            for (source, u) in status.sources.sorted(by: { $0.key < $1.key }) {
                print("  \(source): \(u.alerts) records, \(u.bytes) bytes; protected \(u.protectedAlerts) records, \(u.protectedBytes) bytes")
            }
            print("damaged ranges:   \(status.corruptRangesSkipped)")
            for d in status.damaged { print("  \(d)") }
            print("recovery:         \(alerts.recoveryReport)")
        }
    }
}
