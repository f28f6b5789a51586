// FileSource throughput against `wc -l` on the same file in the same run, and the CPU a
// FileSource spends following an idle file.
//
//   bench-files [--file PATH] [--size-mib N] [--idle-seconds S] [--batch N] [--rounds N]
//               [--profile-lines N]
//
// `--profile-lines N` runs FileSource alone (no `wc -l` child), expecting N lines: for
// instruction-count profiling under valgrind, which cannot spawn the child.
//
// The file is generated when missing (or of another size): realistic log lines of varying
// length. Both readers run on a warm page cache (the file is read once first).
import Foundation
import Ingest
import RationCore
#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var file = "/tmp/rationd-bench-files/bench.log"
    var sizeMiB = 1024
    var idleSeconds = 60.0
    var batch = 4096
    var rounds = 3
    var profileLines: Int?

    init(_ args: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < args.count else { fatalError("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--file": file = value()
            case "--size-mib": sizeMiB = Int(value())!
            case "--idle-seconds": idleSeconds = Double(value())!
            case "--batch": batch = Int(value())!
            case "--rounds": rounds = Int(value())!
            case "--profile-lines": profileLines = Int(value())!
            default: fatalError("unknown argument \(args[i])")
            }
            i += 1
        }
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func cpuSeconds(children: Bool = false) -> Double {
    var usage = rusage()
    getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func fileSize(_ path: String) -> Int? {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : nil
}

/// Writes `bytes` of log lines (40–200 bytes, a few shapes) to `path`.
func generate(_ path: String, bytes: Int) {
    let dir = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot create \(path).tmp")
    let shapes = [
        "081109 %06d 148 INFO dfs.DataNode$PacketResponder: PacketResponder %d for block blk_-%d terminating",
        "2024-03-01T12:%02d:%02d.%03dZ nginx[%d]: 10.0.%d.%d - - \"GET /api/v1/items/%d HTTP/1.1\" 200 %d \"-\" \"curl/8.5\"",
        "Mar  1 12:00:%02d host sshd[%d]: Accepted publickey for deploy from 192.168.%d.%d port %d ssh2",
        "ERROR [worker-%d] com.example.Service: request %d failed after %d ms: connection reset by peer",
    ]
    var out: [UInt8] = []
    out.reserveCapacity(1 << 22)
    var written = 0
    var n = 0
    while written < bytes {
        let a = n &* 2654435761 % 1_000_000
        let line: String
        switch n % 4 {
        case 0: line = String(format: shapes[0], a, n % 7, a * 13)
        case 1: line = String(format: shapes[1], a % 60, n % 60, n % 1000, a % 9999, n % 256, a % 256, a, a % 5000)
        case 2: line = String(format: shapes[2], n % 60, a % 99999, n % 256, a % 256, a % 65535)
        default: line = String(format: shapes[3], n % 16, a, a % 3000)
        }
        out.append(contentsOf: line.utf8)
        out.append(0x0A)
        n += 1
        if out.count >= 1 << 22 || written + out.count >= bytes {
            let take = min(out.count, bytes - written)
            // End on a line boundary: cut at the last newline within `take`.
            var cut = take
            while cut > 0 && out[cut - 1] != 0x0A { cut -= 1 }
            if cut == 0 { cut = take }
            out.withUnsafeBytes { _ = write(fd, $0.baseAddress!, cut) }
            written += cut
            out.removeFirst(cut)
            if written + 256 >= bytes { break }
        }
    }
    close(fd)
    rename(path + ".tmp", path)
}

/// Reads the whole file once so both readers start from a warm page cache.
func warm(_ path: String) {
    let fd = open(path, O_RDONLY)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress!, $0.count) }) > 0 {}
    close(fd)
}

func runWC(_ path: String) -> (seconds: Double, cpu: Double, lines: Int) {
    let cpu0 = cpuSeconds(children: true)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wc")
    process.arguments = ["-l", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    let start = now()
    try! process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let seconds = now() - start
    let lines = Int(String(decoding: data, as: UTF8.self).split(separator: " ").first ?? "0") ?? 0
    return (seconds, cpuSeconds(children: true) - cpu0, lines)
}

/// Reads, splits and delivers every line of `path` in batches; the consumer counts lines
/// and bytes and acknowledges each batch's checkpoint.
func runFileSource(_ path: String, expectedLines: Int, batch: Int) throws
    -> (seconds: Double, cpu: Double, lines: Int, bytes: Int)
{
    let config = FileSourceConfiguration(id: "files.bench", include: [path])
    let cpu0 = cpuSeconds()
    let start = now()
    let source = try FileSource(configuration: config)
    var lines = 0
    var bytes = 0
    var idle = 0
    while lines < expectedLines && idle < 20 {
        let records = try source.nextBatch(maxRecords: batch, timeout: .milliseconds(100))
        if records.isEmpty { idle += 1; continue }
        // The records are only looked at, never copied: a copy per record (as the generic
        // `last(where:)` over the array made) would charge the consumer's cost to FileSource.
        var i = 0
        while i < records.count {
            bytes &+= records[i].message.count &+ 1
            i += 1
        }
        lines += records.count
        let withCheckpoint = records.withUnsafeBufferPointer { buffer in
            buffer.lastIndex { record in
                if case .some = record.checkpoint { return true } else { return false }
            }
        }
        if let withCheckpoint, let checkpoint = records[withCheckpoint].checkpoint { source.acknowledge(checkpoint) }
    }
    return (now() - start, cpuSeconds() - cpu0, lines, bytes)
}

let options = Options(CommandLine.arguments)
let wantBytes = options.sizeMiB << 20
if fileSize(options.file).map({ abs($0 - wantBytes) > 1 << 20 }) ?? true {
    print("generating \(options.sizeMiB) MiB of log lines in \(options.file) …")
    generate(options.file, bytes: wantBytes)
}
let size = fileSize(options.file)!
warm(options.file)

if let expected = options.profileLines {
    let ours = try runFileSource(options.file, expectedLines: expected, batch: options.batch)
    print(String(format: "FileSource alone: %.3f s (%.3f CPU-s), %d lines, %d bytes", ours.seconds, ours.cpu,
                 ours.lines, ours.bytes))
    exit(ours.lines == expected && ours.bytes == size ? 0 : 1)
}

// Throughput: best of `rounds` each, interleaved.
var wcBest = Double.infinity
var ourBest = Double.infinity
var wcCPUBest = Double.infinity
var ourCPUBest = Double.infinity
var wcLines = 0
for round in 1...options.rounds {
    let wc = runWC(options.file)
    wcLines = wc.lines
    wcBest = min(wcBest, wc.seconds)
    wcCPUBest = min(wcCPUBest, wc.cpu)
    let ours = try runFileSource(options.file, expectedLines: wc.lines, batch: options.batch)
    guard ours.lines == wc.lines, ours.bytes == size else {
        print("MISMATCH: FileSource delivered \(ours.lines) lines / \(ours.bytes) bytes, wc -l counted \(wc.lines) lines of \(size) bytes")
        exit(1)
    }
    ourBest = min(ourBest, ours.seconds)
    ourCPUBest = min(ourCPUBest, ours.cpu)
    print(String(format: "round %d: wc -l %.3f s (%.3f CPU-s), FileSource %.3f s (%.3f CPU-s, %d lines)", round,
                 wc.seconds, wc.cpu, ours.seconds, ours.cpu, ours.lines))
}
let mib = Double(size) / 1_048_576
print(String(format: "file: %.0f MiB, %d lines", mib, wcLines))
print(String(format: "wc -l:      %.3f s  %7.0f MiB/s", wcBest, mib / wcBest))
print(String(format: "FileSource: %.3f s  %7.0f MiB/s  %.1f M lines/s (read + split + deliver in batches of %d)",
             ourBest, mib / ourBest, Double(wcLines) / ourBest / 1e6, options.batch))
let ratio = wcBest / ourBest
print(String(format: "speed ratio FileSource / wc -l: %.2fx wall-clock (target >= 0.20x) %@", ratio,
             ratio >= 0.2 ? "PASS" : "FAIL"))
print(String(format: "CPU-time ratio (wc -l CPU-s / FileSource CPU-s, best of each): %.2fx", wcCPUBest / ourCPUBest))
var load = [Double](repeating: 0, count: 3)
getloadavg(&load, 3)
print(String(format: "load average during the run: %.2f (%d CPUs)", load[0], sysconf(Int32(_SC_NPROCESSORS_ONLN))))

// Idle CPU: follow a file nobody writes to.
if options.idleSeconds > 0 {
    let idleDir = "/tmp/rationd-bench-files/idle-\(getpid())"
    try? FileManager.default.createDirectory(atPath: idleDir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: idleDir) }
    let idleFile = idleDir + "/idle.log"
    _ = FileManager.default.createFile(atPath: idleFile, contents: Data("one line\n".utf8))
    let source = try FileSource(configuration: FileSourceConfiguration(id: "files.idle", include: [idleDir + "/*.log"]))
    _ = try source.nextBatch(maxRecords: 10, timeout: .seconds(1))
    let cpu0 = cpuSeconds()
    let t0 = now()
    var delivered = 0
    while now() - t0 < options.idleSeconds {
        delivered += try source.nextBatch(maxRecords: 100, timeout: .seconds(1)).count
    }
    let cpu = cpuSeconds() - cpu0
    print(String(format: "idle follow: %.3f CPU-seconds over %.0f s (target <= 0.1) %@%@", cpu, now() - t0,
                 cpu <= 0.1 ? "PASS" : "FAIL", delivered > 0 ? " (unexpected records!)" : ""))
}
