import AlertStore
import ArgumentParser
import Foundation
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
        @Option(help: "Alerts last seen at or after: a duration ago (90s, 15m, 1h, 2d), epoch seconds or ISO 8601.")
        var since: String?
        @Option(help: "Alerts first seen at or before (same forms as --since).")
        var until: String?
        @Option(help: "A systemd unit in the alert's window.")
        var unit: String?
        @Option(help: "A source id (journal, files.nginx, …).")
        var source: String?
        @Option(help: "At least this severe (emerg … debug).")
        var severity: String?
        @Option(help: "Reasoning verdict: normal or abnormal.")
        var verdict: String?
        @Option(help: "Operator label: normal or abnormal.")
        var label: String?
        @Option(name: .customLong("min-score"), help: ArgumentHelp("Minimum triage score in bits (the default [triage] threshold is 8).", valueName: "bits"))
        var minScore: Double?
        @Option(help: "Case-sensitive text in the key, messages, templates, reasons or rationale.")
        var text: String?
        @Option(help: "At most this many alerts.")
        var limit: Int = 50

        func run() throws {
            let clock = Date().timeIntervalSince1970
            var q = AlertQuery(limit: limit)
            q.since = try since.map { try TimeArgument.parse($0, now: clock, option: "--since") }
            q.until = try until.map { try TimeArgument.parse($0, now: clock, option: "--until") }
            q.unit = unit
            q.source = source.map(SourceID.init(rawValue:))
            if let severity {
                guard let p = Priority(parsing: severity) else { throw ValidationError("--severity: unknown priority '\(severity)'") }
                q.severity = p
            }
            q.verdict = try verdict.map { try Self.label($0, option: "--verdict") }
            q.operatorLabel = try label.map { try Self.label($0, option: "--label") }
            q.minScore = minScore
            q.text = text
            let alerts = try store.open()
            let results: [StoredAlert]
            do { results = try alerts.queryStored(q) } catch { throw ValidationError("\(error)") }
            if store.json {
                print(try AlertFormatter.json(results))
            } else {
                if results.isEmpty { print("no alerts") }
                for r in results { print(AlertFormatter.line(r)) }
            }
            AlertFormatter.warnAboutDamage(alerts)
        }

        static func label(_ text: String, option: String) throws -> Verdict.Label {
            guard let l = Verdict.Label(rawValue: text.lowercased()) else {
                throw ValidationError("\(option): expected normal or abnormal, got '\(text)'")
            }
            return l
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
            print("damaged ranges:   \(status.corruptRangesSkipped)")
            for d in status.damaged { print("  \(d)") }
            print("recovery:         \(alerts.recoveryReport)")
        }
    }
}

/// Parses `--since`/`--until`: a duration ago, epoch seconds or ISO 8601.
enum TimeArgument {
    static func parse(_ text: String, now: Double, option: String) throws -> EventTime {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        if let last = text.last, let scale = units[last], let n = Double(text.dropLast()) {
            return EventTime(secondsSinceEpoch: now - n * scale)
        }
        if let seconds = Double(text) { return EventTime(secondsSinceEpoch: seconds) }
        let iso = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            iso.formatOptions = options
            if let d = iso.date(from: text) { return EventTime(secondsSinceEpoch: d.timeIntervalSince1970) }
        }
        throw ValidationError("\(option): expected a duration (15m, 2h, 1d), epoch seconds or ISO 8601 time, got '\(text)'")
    }
}
