// bench-pipeline: throughput of miner + sessionizer + triage against the miner alone, in the
// same run on the same lines. Input: raw HDFS lines (`<Date> <Time> <Pid> <Level>
// <Component>: <Content>`, times non-decreasing), parsed into memory before timing. Each mode
// runs `--rounds` times alternately; the best round of each counts. Every mode but the bare
// miner builds a LogRecord per line as the journal source does (one message array per line,
// the level as a priority; a file source slices its read buffer instead, which is cheaper)
// and mines `record.message`: the reference for the target ratio is that miner fed
// records, so both sides of `ratio` pay the same record construction and differ only by the
// sessionizer and triage. The pipeline windows by `blk_-?\d+` with the default sessionizer
// limits and assesses every closed window with the default triage configuration. The bare
// miner (contents slices, no records) is reported too, with `ratio_vs_bare_miner`.
// Rates are lines per second of thread CPU time. Prints one JSON object.
// usage: bench-pipeline RAW_HDFS_FILE [--rounds N] [--profile pipeline|sessionizer|records|miner]
#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import RationCore
import TemplateMiner
import Triage

func fail(_ message: String) -> Never {
    var line = "bench-pipeline: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// CPU time of this thread: the machines these run on are shared, and wall time then measures
/// the neighbours; both modes are timed the same way.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

var arguments = Array(CommandLine.arguments.dropFirst())
var rounds = 2
if let i = arguments.firstIndex(of: "--rounds"), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > 0 {
    rounds = n
    arguments.removeSubrange(i...(i + 1))
}
/// `--profile pipeline|sessionizer|records|miner`: run that mode once and print nothing else
/// (for a profiler, which would otherwise mix the modes).
var profileMode: String?
if let i = arguments.firstIndex(of: "--profile"), i + 1 < arguments.count {
    profileMode = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
guard arguments.count == 1 else { fail("usage: bench-pipeline RAW_HDFS_FILE [--rounds N] [--profile MODE]") }
let path = arguments[0]
guard let raw = try? DurableFile.read(path) else { fail("\(path): cannot read") }

/// The input parsed once: contents in one buffer, with times and levels.
struct Workload: Sendable {
    var contents: [UInt8] = []
    var bounds: [Range<Int>] = []
    var times: [EventTime] = []
    var priorities: [Priority?] = []
    var skipped = 0
}

func parse(_ raw: [UInt8]) -> Workload {
    var w = Workload()
    let layout = try! HeaderLayout("<Date> <Time> <Pid> <Level> <Component>: <Content>")
    w.contents.reserveCapacity(raw.count)
    var start = 0
    while start < raw.count {
        let end = raw[start...].firstIndex(of: 10) ?? raw.count
        if end > start, let (fields, content) = layout.split(raw[start..<end]) {
            if let time = DetectionDataset.hdfsTime(date: fields["Date"] ?? "", time: fields["Time"] ?? "") {
                let from = w.contents.count
                w.contents.append(contentsOf: content)
                w.bounds.append(from..<w.contents.count)
                w.times.append(time)
                w.priorities.append(fields["Level"].flatMap(SeverityTokens.priority(ofLevel:)))
            } else { w.skipped += 1 }
        } else if end > start { w.skipped += 1 }
        start = end + 1
    }
    return w
}

let workload = parse(raw)
let lines = workload.bounds.count
guard lines > 0 else { fail("\(path): no HDFS lines") }

func minerAlone(_ w: Workload) -> (seconds: Double, templates: Int) {
    var miner = TemplateMiner()
    var sink = 0
    let t0 = now()
    for b in w.bounds { sink &+= Int(miner.mine(w.contents[b]).templateID.rawValue) }
    let t = now() - t0
    if sink == 42 { print("") }
    return (t, miner.templateCount)
}

/// The miner fed LogRecords as a source builds them (one message array per line): the share
/// of the pipeline's cost that is record construction rather than sessionizing or triage.
func minerWithRecords(_ w: Workload) -> Double {
    var miner = TemplateMiner()
    var sink = 0
    let t0 = now()
    for k in 0..<w.bounds.count {
        let record = LogRecord(time: w.times[k], source: "hdfs", message: Array(w.contents[w.bounds[k]]),
                               fields: RecordFields(priority: w.priorities[k]))
        sink &+= Int(miner.mine(record.message).templateID.rawValue)
    }
    let t = now() - t0
    if sink == 42 { print("") }
    return t
}

struct PipelineRun {
    var seconds: Double
    var windows: Int
    var escalated: Int
    var openSessions: Int
    var statistics: SessionizerStatistics
}

func pipeline(_ w: Workload, triaging: Bool = true) -> PipelineRun {
    var miner = TemplateMiner()
    var sessionizer = try! Sessionizer(configuration: SessionizerConfiguration(
        keying: .capture(try! SessionKeyPattern("blk_-?\\d+"))))
    var triage = try! Triage(configuration: .default)
    var windows = 0
    var escalated = 0
    let t0 = now()
    for k in 0..<w.bounds.count {
        let record = LogRecord(time: w.times[k], source: "hdfs", message: Array(w.contents[w.bounds[k]]),
                               fields: RecordFields(priority: w.priorities[k]))
        let mined = miner.mine(record.message)
        for window in sessionizer.add(record, templateID: mined.templateID,
                                      templateText: miner.template(for: mined.templateID) ?? "") {
            windows += 1
            if triaging && triage.assess(window).escalated { escalated += 1 }
        }
    }
    let open = sessionizer.openSessionCount
    for window in sessionizer.flush() {
        windows += 1
        if triage.assess(window).escalated { escalated += 1 }
    }
    return PipelineRun(seconds: now() - t0, windows: windows, escalated: escalated, openSessions: open,
                       statistics: sessionizer.statistics)
}

if let profileMode {
    let seconds: Double
    switch profileMode {
    case "pipeline": seconds = pipeline(workload).seconds
    case "sessionizer": seconds = pipeline(workload, triaging: false).seconds
    case "records": seconds = minerWithRecords(workload)
    case "miner": seconds = minerAlone(workload).seconds
    default: fail("--profile takes pipeline, sessionizer, records or miner")
    }
    print("{\"mode\":\"\(profileMode)\",\"lines_per_second\":\(Int(Double(lines) / seconds))}")
    exit(0)
}

var bestMiner = Double.infinity
var bestPipeline = Double.infinity
var templates = 0
var last: PipelineRun?
var bestSessionizer = Double.infinity
var bestRecords = Double.infinity
for _ in 0..<rounds {
    bestRecords = min(bestRecords, minerWithRecords(workload))
    bestSessionizer = min(bestSessionizer, pipeline(workload, triaging: false).seconds)
    let m = minerAlone(workload)
    bestMiner = min(bestMiner, m.seconds)
    templates = m.templates
    let p = pipeline(workload)
    bestPipeline = min(bestPipeline, p.seconds)
    last = p
}
let run = last!
let minerRate = Double(lines) / bestMiner
let recordsRate = Double(lines) / bestRecords
let pipelineRate = Double(lines) / bestPipeline
func f(_ x: Double, _ digits: Int = 0) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let v = (x * p).rounded() / p
    return digits == 0 ? String(Int(v)) : String(v)
}
print("{\"lines\":\(lines),\"skipped\":\(workload.skipped),\"rounds\":\(rounds),\"templates\":\(templates),"
    + "\"miner_lines_per_second\":\(f(minerRate)),\"pipeline_lines_per_second\":\(f(pipelineRate)),"
    + "\"miner_with_records_lines_per_second\":\(f(recordsRate)),"
    + "\"miner_sessionizer_lines_per_second\":\(f(Double(lines) / bestSessionizer)),"
    + "\"ratio\":\(f(pipelineRate / recordsRate, 3)),\"ratio_vs_bare_miner\":\(f(pipelineRate / minerRate, 3)),"
    + "\"windows\":\(run.windows),\"escalated\":\(run.escalated),"
    + "\"open_sessions_at_end\":\(run.openSessions),\"closed_by_idle_gap\":\(run.statistics.closedByIdleGap),"
    + "\"closed_by_max_events\":\(run.statistics.closedByMaxEvents),\"closed_by_max_duration\":\(run.statistics.closedByMaxDuration),"
    + "\"evicted_sessions\":\(run.statistics.evictedSessions),\"peak_rss_mb\":\(f(peakRSSMegabytes(), 1))}")
