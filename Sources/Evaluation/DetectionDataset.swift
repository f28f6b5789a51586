import Foundation
import RationCore
import Triage

/// A labelled log dataset turned into the records a source would deliver, the sessionizer
/// settings that window it, and the truth per window/session. Evaluations replay it through
/// miner -> sessionizer -> triage.
public struct DetectionDataset: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `hdfs100k_sessions.csv`: template-id sequences per block with a train/test split.
        case hdfsSessions = "hdfs100k"
        /// `HDFS_5k.log` raw lines with `HDFS_5k_block_labels.csv`.
        case hdfsLog = "hdfs5k"
        /// `BGL_2k.log` in fixed count windows; a window is anomalous when any line is.
        case bglWindows = "bgl2k"
    }

    public var kind: Kind
    /// Records in replay order (message = the content the miner sees).
    public var records: [LogRecord]
    /// Truth for every scored session: true = anomalous.
    public var labels: [String: Bool]
    /// Scored sessions in a stable order (output order).
    public var sessions: [String]
    public var sessionizer: SessionizerConfiguration
    /// Windows to learn before alerting (hdfs100k: the train sessions).
    public var warmupWindows: Int
    /// Per scored session, the exact template sequence when the dataset gives it (hdfs100k):
    /// the input of `DetectionMetrics.ceiling`.
    public var sequences: [String: String]

    // MARK: hdfs100k

    /// Renders each session's template ids to text (the first `<*>` becomes the block id, so
    /// the sessionizer captures the key from the message as it would from real lines). Sessions
    /// are an hour apart and close by an idle gap of half an hour; train sessions are the warm-up.
    public static func hdfsSessions(sessionsCSV: [UInt8], templatesCSV: [UInt8]) throws(TriageError) -> DetectionDataset {
        var templates: [String: String] = [:]
        for (n, row) in try CSVRows.parse(templatesCSV, name: "templates", columns: 2).enumerated() {
            guard templates.updateValue(row[1], forKey: row[0]) == nil else {
                throw .invalidDataset(file: "templates", line: n + 2, reason: "template id \(row[0]) appears twice")
            }
        }
        var records: [LogRecord] = []
        var labels: [String: Bool] = [:]
        var sessions: [String] = []
        var sequences: [String: String] = [:]
        var train = 0
        var testStarted = false
        for (n, row) in try CSVRows.parse(sessionsCSV, name: "sessions", columns: 4).enumerated() {
            let (block, split, label, sequence) = (row[0], row[1], row[2], row[3])
            let base = Int64(n) * 3_600_000_000
            for (k, id) in sequence.split(separator: " ").enumerated() {
                guard let text = templates[String(id)] else {
                    throw .invalidDataset(file: "sessions", line: n + 2, reason: "unknown template id \(id)")
                }
                let message = text.replacingFirstWildcard(with: block)
                records.append(LogRecord(time: EventTime(microsecondsSinceEpoch: base + Int64(k) * 1_000),
                                         source: "hdfs", message: message))
            }
            switch split {
            case "train":
                guard !testStarted else {
                    throw .invalidDataset(file: "sessions", line: n + 2, reason: "train row after the first test row")
                }
                train += 1
            case "test":
                testStarted = true
                labels[block] = label == "1"
                sessions.append(block)
                sequences[block] = sequence
            default:
                throw .invalidDataset(file: "sessions", line: n + 2, reason: "split '\(split)' is neither train nor test")
            }
        }
        let key = try SessionKeyPattern("blk_-?\\d+")
        return DetectionDataset(
            kind: .hdfsSessions, records: records, labels: labels, sessions: sessions,
            sessionizer: SessionizerConfiguration(keying: .capture(key), idleGap: .seconds(1_800), maxDuration: nil),
            warmupWindows: train, sequences: sequences)
    }

    // MARK: HDFS_5k

    /// Raw HDFS lines (`<Date> <Time> <Pid> <Level> <Component>: <Content>`), keyed by
    /// `blk_-?\d+`. Blocks are complete in the file, so sessions close at the end of the
    /// replay (no idle gap) unless `idleGap` is given.
    public static func hdfsLog(log: [UInt8], labelsCSV: [UInt8], idleGap: Duration? = nil,
                               warmupWindows: Int = 0) throws(TriageError) -> DetectionDataset {
        let layout = try HeaderLayout("<Date> <Time> <Pid> <Level> <Component>: <Content>")
        var records: [LogRecord] = []
        var lineNumber = 0
        var failure: TriageError?
        LineSplitting.forEachLine(in: log) { line in
            lineNumber += 1
            guard failure == nil, !line.isEmpty else { return }
            guard let (fields, content) = layout.split(line),
                  let time = HDFSTime.parse(date: fields["Date"] ?? "", time: fields["Time"] ?? "")
            else {
                failure = .invalidDataset(file: "log", line: lineNumber, reason: "does not fit '\(layout.format)'")
                return
            }
            let priority = fields["Level"].flatMap(SeverityTokens.priority(ofLevel:))
            records.append(LogRecord(time: time, source: "hdfs", message: Array(content),
                                     fields: RecordFields(priority: priority)))
        }
        if let failure { throw failure }
        var labels: [String: Bool] = [:]
        var sessions: [String] = []
        for row in try CSVRows.parse(labelsCSV, name: "labels", columns: 2) {
            labels[row[0]] = row[1] == "Anomaly" || row[1] == "1"
            sessions.append(row[0])
        }
        let key = try SessionKeyPattern("blk_-?\\d+")
        return DetectionDataset(
            kind: .hdfsLog, records: records, labels: labels, sessions: sessions,
            sessionizer: SessionizerConfiguration(keying: .capture(key), idleGap: idleGap, maxDuration: nil),
            warmupWindows: warmupWindows, sequences: [:])
    }

    // MARK: BGL_2k

    /// BGL lines: the first token is the label (`-` = normal) and is stripped before anything
    /// else sees the line; the rest is `<Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type>
    /// <Component> <Level> <Content>`. Windows are fixed runs of `windowSize` lines, keyed
    /// `bgl#N`.
    public static func bglWindows(log: [UInt8], windowSize: Int = 20,
                                  warmupWindows: Int = 0) throws(TriageError) -> DetectionDataset {
        let layout = try HeaderLayout(
            "<Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>")
        var records: [LogRecord] = []
        var labels: [String: Bool] = [:]
        var sessions: [String] = []
        var lineNumber = 0
        var failure: TriageError?
        LineSplitting.forEachLine(in: log) { line in
            lineNumber += 1
            guard failure == nil, !line.isEmpty else { return }
            guard let space = line.firstIndex(of: 32), let (fields, content) = layout.split(line[(space + 1)...]),
                  let seconds = Int64(fields["Timestamp"] ?? "")
            else {
                failure = .invalidDataset(file: "log", line: lineNumber, reason: "does not fit '<Label> \(layout.format)'")
                return
            }
            let anomalous = !(space == line.startIndex + 1 && line[line.startIndex] == 45)
            let window = "bgl#\(records.count / windowSize)"
            if labels[window] == nil { sessions.append(window) }
            labels[window] = (labels[window] ?? false) || anomalous
            let priority = fields["Level"].flatMap(SeverityTokens.priority(ofLevel:))
            records.append(LogRecord(time: EventTime(microsecondsSinceEpoch: seconds * 1_000_000), source: "bgl",
                                     message: Array(content), fields: RecordFields(priority: priority)))
        }
        if let failure { throw failure }
        return DetectionDataset(
            kind: .bglWindows, records: records, labels: labels, sessions: sessions,
            sessionizer: SessionizerConfiguration(keying: .countWindow(size: windowSize, slide: windowSize)),
            warmupWindows: warmupWindows, sequences: [:])
    }
}

extension DetectionDataset {
    /// HDFS's `yyMMdd` date and `HHmmss` time fields as an event time (UTC).
    public static func hdfsTime(date: String, time: String) -> EventTime? { HDFSTime.parse(date: date, time: time) }
}

/// `yyMMdd HHmmss` (HDFS) to event time, UTC.
enum HDFSTime {
    static func parse(date: String, time: String) -> EventTime? {
        let d = Array(date.utf8), t = Array(time.utf8)
        guard d.count == 6, t.count == 6, (d + t).allSatisfy({ $0 &- 48 < 10 }) else { return nil }
        func two(_ a: [UInt8], _ i: Int) -> Int64 { Int64(a[i] - 48) * 10 + Int64(a[i + 1] - 48) }
        let days = daysFromCivil(year: 2000 + two(d, 0), month: two(d, 2), day: two(d, 4))
        let seconds = days * 86_400 + two(t, 0) * 3_600 + two(t, 2) * 60 + two(t, 4)
        return EventTime(microsecondsSinceEpoch: seconds * 1_000_000)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Minimal CSV for the datasets' plain files (header line, no quoting).
enum CSVRows {
    static func parse(_ bytes: [UInt8], name: String, columns: Int) throws(TriageError) -> [[String]] {
        var rows: [[String]] = []
        var lineNumber = 0
        var failure: TriageError?
        LineSplitting.forEachLine(in: bytes) { line in
            lineNumber += 1
            guard lineNumber > 1, failure == nil, !line.isEmpty else { return }
            // The last column takes the rest of the line (template texts may hold commas).
            let fields = line.split(separator: 44, maxSplits: columns - 1, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == columns else {
                failure = .invalidDataset(file: name, line: lineNumber, reason: "expected \(columns) columns, found \(fields.count)")
                return
            }
            rows.append(fields)
        }
        if let failure { throw failure }
        return rows
    }
}

/// `\n`-separated lines; a trailing `\r` is dropped; a last line without newline counts.
enum LineSplitting {
    static func forEachLine(in data: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = 0
        while start < data.count {
            let end = data[start...].firstIndex(of: 10) ?? data.count
            var lineEnd = end
            if lineEnd > start && data[lineEnd - 1] == 13 { lineEnd -= 1 }
            body(data[start..<lineEnd])
            start = end + 1
        }
    }
}

extension String {
    func replacingFirstWildcard(with value: String) -> String {
        guard let range = range(of: "<*>") else { return self + " " + value }
        return replacingCharacters(in: range, with: value)
    }
}
