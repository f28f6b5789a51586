// bench-miner: mines every line of a file of message contents (one per line) with the
// default TemplateMiner configuration, through the full `mine` API (template id and
// parameters per line), streaming the file in 1 MiB reads. Prints one JSON object:
// lines, seconds, lines_per_second, templates, peak_rss_mb, evictions.
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

var miner = TemplateMiner()
var buffer = [UInt8](repeating: 0, count: 1 << 20)
var pending: [UInt8] = []
var lines = 0
var parameterCount = 0
let start = now()
while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n < 0 {
        if errno == EINTR { continue }
        fail("\(path): read: \(String(cString: strerror(errno)))")
    }
    if n == 0 { break }
    var lineStart = 0
    while lineStart < n {
        let found = buffer.withUnsafeBytes { raw in memchr(raw.baseAddress! + lineStart, 0x0A, n - lineStart) }
        guard let found else { break }
        let i = buffer.withUnsafeBytes { raw in UnsafeRawPointer(found) - raw.baseAddress! }
        let mined: MinedLine
        if pending.isEmpty {
            mined = miner.mine(buffer[lineStart..<i])
        } else {
            pending.append(contentsOf: buffer[lineStart..<i])
            mined = miner.mine(pending[...])
            pending.removeAll(keepingCapacity: true)
        }
        parameterCount &+= mined.parameters.count
        lines += 1
        lineStart = i + 1
    }
    pending.append(contentsOf: buffer[lineStart..<n])
}
if !pending.isEmpty {
    parameterCount &+= miner.mine(pending[...]).parameters.count
    lines += 1
}
let seconds = now() - start
close(fd)
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let stats = miner.statistics
let rate = Double(lines) / seconds
print("{\"lines\":\(lines),\"seconds\":\(seconds),\"lines_per_second\":\(Int(rate)),\"templates\":\(stats.templates),\"peak_rss_mb\":\(Double(usage.ru_maxrss) / 1024),\"evictions\":\(stats.evictions),\"parameters\":\(parameterCount)}")
