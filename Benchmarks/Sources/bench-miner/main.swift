// bench-miner: mines every line of a file of message contents (one per line) with the
// default TemplateMiner configuration, through the full `mine` API (template id and
// parameters per line), streaming the file in 1 MiB reads. Prints one JSON object:
// lines, seconds (wall) and cpu_seconds (user+sys) of the mining loop, lines_per_second,
// templates, peak_rss_mb, evictions, parameters.
// usage: bench-miner CONTENT_FILE
#if canImport(Glibc)
import Glibc
#endif
import TemplateMiner

func fail(_ message: String) -> Never {
    var line = "bench-miner: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// User + system CPU seconds of this process so far.
func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else { fail("usage: bench-miner CONTENT_FILE") }
let path = arguments[1]
let fd = open(path, O_RDONLY | O_CLOEXEC)
guard fd >= 0 else { fail("\(path): \(String(cString: strerror(errno)))") }

/// The measured loop, in a function so that its state is local (top-level variables are
/// globals, with access checks and reference counting on every use).
func mineFile(_ fd: Int32) -> (lines: Int, parameters: Int, seconds: Double, cpu: Double, statistics: MinerStatistics) {
    var miner = TemplateMiner()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var pending: [UInt8] = []
    var lines = 0
    var parameterCount = 0
    let start = now()
    let startCPU = cpuTime()
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            fail("\(path): read: \(String(cString: strerror(errno)))")
        }
        if n == 0 { break }
        buffer.withUnsafeBufferPointer { chunk in
            var lineStart = 0
            while lineStart < n {
                guard let found = memchr(chunk.baseAddress! + lineStart, 0x0A, n - lineStart) else { break }
                let i = UnsafeRawPointer(found) - UnsafeRawPointer(chunk.baseAddress!)
                let mined: MinedLine
                if pending.isEmpty {
                    mined = miner.mine(UnsafeBufferPointer(rebasing: chunk[lineStart..<i]))
                } else {
                    pending.append(contentsOf: chunk[lineStart..<i])
                    mined = miner.mine(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
                parameterCount &+= mined.parameters.count
                lines += 1
                lineStart = i + 1
            }
            pending.append(contentsOf: chunk[lineStart..<n])
        }
    }
    if !pending.isEmpty {
        parameterCount &+= miner.mine(pending[...]).parameters.count
        lines += 1
    }
    return (lines, parameterCount, now() - start, cpuTime() - startCPU, miner.statistics)
}

let (lines, parameterCount, seconds, cpu, stats) = mineFile(fd)
close(fd)
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let rate = Double(lines) / seconds
print("{\"lines\":\(lines),\"seconds\":\(seconds),\"cpu_seconds\":\(cpu),\"lines_per_second\":\(Int(rate)),\"templates\":\(stats.templates),\"peak_rss_mb\":\(Double(usage.ru_maxrss) / 1024),\"evictions\":\(stats.evictions),\"parameters\":\(parameterCount)}")
