// bench-store: the alert store against JSON lines piped through the zstd CLI, in one run.
// Appends/s, compression ratio, and latency of "newest 100 alerts for one unit" on a store
// of N alerts (default 1,000,000).
//
//   bench-store [--alerts N] [--events-per-window K] [--units U] [--level L] [--dir DIR] [--keep]
//   bench-store --query-only --dir DIR      (time queries on a store kept by --keep)
#if canImport(Glibc)
import Evaluation
import Glibc
#endif
import AlertStore
import Foundation
import RationCore

struct Options {
    var alerts = 1_000_000
    var eventsPerWindow = 8
    var units = 50
    var directory = "/tmp/bench-store-\(getpid())"
    var keep = false
    /// Only time queries on a store kept by an earlier `--keep` run (for profiling).
    var queryOnly = false
    /// zstd level of sealed blocks.
    var level: Int32 = 3

    init(_ args: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < args.count else { fatalError("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--alerts": alerts = Int(value())!
            case "--events-per-window": eventsPerWindow = Int(value())!
            case "--units": units = Int(value())!
            case "--dir": directory = value()
            case "--keep": keep = true
            case "--query-only": queryOnly = true
            case "--level": level = Int32(value())!
            default: fatalError("unknown argument \(args[i])")
            }
            i += 1
        }
    }
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func diskUsage(_ path: String) -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.reduce(0) { sum, name in
        let attrs = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
        return sum + ((attrs?[.size] as? NSNumber)?.intValue ?? 0)
    }
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

func shell(_ command: String) -> Double {
    let start = monotonic()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    try! p.run()
    p.waitUntilExit()
    precondition(p.terminationStatus == 0, "command failed: \(command)")
    return monotonic() - start
}

let options = Options(CommandLine.arguments)
let synthetic = SyntheticAlerts(units: options.units, eventsPerWindow: options.eventsPerWindow, repeatEvery: 0)
let storeDir = options.directory + "/store"
let referencePath = options.directory + "/reference.jsonl.zst"
let probeUnit = synthetic.unit(of: 7)
if options.queryOnly {
    let store = try AlertStore(configuration: AlertStoreConfiguration(directory: storeDir, totalMaxBytes: 64 << 30))
    var times: [Double] = []
    for _ in 0..<200 {
        let t0 = monotonic()
        let r = try store.query(AlertQuery(unit: probeUnit, limit: 100))
        times.append(monotonic() - t0)
        precondition(r.count == 100)
    }
    print("newest 100 for \(probeUnit): median \(percentile(times, 0.5) * 1000) ms, p95 \(percentile(times, 0.95) * 1000) ms")
    exit(0)
}
try? FileManager.default.removeItem(atPath: options.directory)
try FileManager.default.createDirectory(atPath: storeDir, withIntermediateDirectories: true)
print("bench-store: \(options.alerts) alerts, \(options.eventsPerWindow) events per window, \(options.units) units, zstd level \(options.level), dir \(options.directory)")

// 1. The store: batched sync (no immediate syncs, so the figure is the store's own cost).
let configuration = AlertStoreConfiguration(
    directory: storeDir, segmentMaxBytes: 8 << 20, totalMaxBytes: 64 << 30,
    syncPolicy: SyncPolicy(interval: .seconds(1), count: 4096, immediatePriority: nil, immediateOnAbnormal: false),
    compressionLevel: options.level)
var rawJSONBytes = 0
var storeSeconds = 0.0
do {
    let store = try AlertStore(configuration: configuration)
    let encoder = JSONEncoder()
    for n in 0..<options.alerts {
        let alert = synthetic.alert(n)
        if n % 64 == 0 { rawJSONBytes += (try encoder.encode(alert).count + 1) * 64 }
        let t0 = monotonic()
        _ = try store.append(alert)
        storeSeconds += monotonic() - t0
    }
    let t0 = monotonic()
    try store.sync()
    storeSeconds += monotonic() - t0
    store.close()
}
let storeBytes = diskUsage(storeDir)

// 2. Reference: JSON lines piped through `zstd -3` (the CLI's default level).
var referenceSeconds = 0.0
do {
    let zstd = Process()
    zstd.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
    zstd.arguments = ["-3", "-q", "-f", "-o", referencePath]
    let pipe = Pipe()
    zstd.standardInput = pipe
    try zstd.run()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    var buffer = Data()
    buffer.reserveCapacity(1 << 20)
    for n in 0..<options.alerts {
        let alert = synthetic.alert(n)
        let t0 = monotonic()
        buffer.append(try encoder.encode(alert))
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 {
            pipe.fileHandleForWriting.write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        referenceSeconds += monotonic() - t0
    }
    let t0 = monotonic()
    pipe.fileHandleForWriting.write(buffer)
    try pipe.fileHandleForWriting.close()
    zstd.waitUntilExit()
    referenceSeconds += monotonic() - t0
}
let referenceBytes = (try FileManager.default.attributesOfItem(atPath: referencePath)[.size] as! NSNumber).intValue

// 3. Query: newest 100 alerts for one unit, on a freshly opened store.
let openStart = monotonic()
let reader = try AlertStore(configuration: configuration)
let openSeconds = monotonic() - openStart
var latencies: [Double] = []
var result: [Alert] = []
for _ in 0..<20 {
    let t0 = monotonic()
    result = try reader.query(AlertQuery(unit: probeUnit, limit: 100))
    latencies.append(monotonic() - t0)
}
precondition(result.count == 100, "expected 100 results, got \(result.count)")
precondition(result.allSatisfy { $0.window.events.contains { $0.unit == probeUnit } }, "wrong unit in results")
precondition(zip(result, result.dropFirst()).allSatisfy { $0.lastSeen >= $1.lastSeen }, "not newest first")
let expectedNewest = (0..<options.alerts).reversed().first { synthetic.unit(of: $0) == probeUnit }!
precondition(result[0].window.key == SyntheticAlerts.key(expectedNewest), "newest result is not the newest alert")
var mixed: [Double] = []
for q in [AlertQuery(verdict: .abnormal, limit: 100), AlertQuery(severity: .alert, limit: 100),
          AlertQuery(unit: probeUnit, text: "node-3", limit: 100)] {
    let t0 = monotonic()
    _ = try reader.query(q)
    mixed.append(monotonic() - t0)
}
let last100 = [Double](latencies.dropFirst())
reader.close()
// Reference query: decompress everything and keep the last 100 lines for the unit.
let referenceQuery = shell("zstd -dcq \(referencePath) | grep -F '\"unit\":\"\(probeUnit)\"' | tail -n 100 > /dev/null")

func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
let storeRate = Double(options.alerts) / storeSeconds
let referenceRate = Double(options.alerts) / referenceSeconds
print("")
print("| measure | alert store | JSON lines \\| zstd -3 | ratio |")
print("|---|---|---|---|")
print("| appends/s | \(Int(storeRate)) | \(Int(referenceRate)) | \(f(storeRate / referenceRate, 2))x |")
print("| bytes on disk | \(storeBytes) | \(referenceBytes) | \(f(Double(storeBytes) / Double(referenceBytes), 2))x |")
print("| compression ratio (raw JSON \(rawJSONBytes) B) | \(f(Double(rawJSONBytes) / Double(storeBytes))) | \(f(Double(rawJSONBytes) / Double(referenceBytes))) | |")
print("| newest 100 for \(probeUnit), median | \(f(percentile(last100, 0.5) * 1000, 2)) ms | \(f(referenceQuery * 1000, 0)) ms | \(f(referenceQuery / percentile(last100, 0.5), 0))x faster |")
print("| newest 100 for \(probeUnit), p95 / first | \(f(percentile(last100, 0.95) * 1000, 2)) ms / \(f(latencies[0] * 1000, 2)) ms | | |")
print("")
print("store open (recovery + verify every block CRC): \(f(openSeconds, 2)) s")
print("other queries, limit 100: verdict=abnormal \(f(mixed[0] * 1000, 2)) ms, severity<=alert \(f(mixed[1] * 1000, 2)) ms, unit+text \(f(mixed[2] * 1000, 2)) ms")
print("query budget (<= 50 ms): \(percentile(last100, 0.95) <= 0.050 ? "met" : "MISSED")")
if !options.keep { try? FileManager.default.removeItem(atPath: options.directory) }
