// Reads a file as FileSource does (256 KiB preads, memchr line split, records appended to a
// batch from a per-file template, batches of 4096 handed to a consumer that counts bytes and
// drops them) with each candidate record layout, and prints the CPU time of each: what the
// record type alone costs on the read path.
//
//   record-layout FILE [ROUNDS]
import Layouts
#if canImport(Glibc)
import Glibc
#endif

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

let chunkBytes = 1 << 18
let batchSize = 4096

/// Appends the range of each complete line in `raw[0..<n]`; returns the bytes they span.
func splitLines(_ raw: UnsafeRawBufferPointer, count n: Int, into ranges: inout [Range<Int>]) -> Int {
    ranges.removeAll(keepingCapacity: true)
    let base = raw.baseAddress!
    var p = 0
    while let hit = memchr(base + p, 0x0A, n - p) {
        let i = base.distance(to: UnsafeRawPointer(hit))
        ranges.append(p..<i)
        p = i + 1
    }
    return p
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fatalError("usage: record-layout FILE [ROUNDS]") }
let path = arguments[1]
let rounds = arguments.count > 2 ? Int(arguments[2])! : 3
let fd = open(path, O_RDONLY)
precondition(fd >= 0, "cannot open \(path)")
let source = SourceID("files.bench")

func checkpoint(_ offset: Int) -> Checkpoint {
    Checkpoint(source: source, position: .file(FilePosition(path: path, offset: UInt64(offset))))
}

struct Result {
    var cpu: Double
    var lines: Int
    var bytes: Int
}

func ownedMessage() -> Result {
    let start = cpuSeconds()
    var result = Result(cpu: 0, lines: 0, bytes: 0)
    var buffer = [UInt8](repeating: 0, count: chunkBytes)
    var ranges: [Range<Int>] = []
    let template = OwnedMessageRecord(time: EventTime(1), source: source, message: [], fields: RecordFields(path: path))
    var out: [OwnedMessageRecord] = []
    out.reserveCapacity(batchSize * 2)
    var offset = 0
    while true {
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(offset)) }
        if n <= 0 { break }
        buffer.withUnsafeBytes { raw in
            offset += splitLines(raw, count: n, into: &ranges)
            for range in ranges {
                out.append(template)
                out[out.count - 1].message = Array(UnsafeRawBufferPointer(rebasing: raw[range]))
            }
        }
        out[out.count - 1].checkpoint = checkpoint(offset)
        if out.count >= batchSize {
            let batch = out
            out = []
            out.reserveCapacity(batchSize * 2)
            for i in 0..<batch.count { result.bytes &+= batch[i].message.count &+ 1 }
            result.lines += batch.count
        }
    }
    for i in 0..<out.count { result.bytes &+= out[i].message.count &+ 1 }
    result.lines += out.count
    result.cpu = cpuSeconds() - start
    return result
}

func chunkSlice() -> Result {
    let start = cpuSeconds()
    var result = Result(cpu: 0, lines: 0, bytes: 0)
    var ranges: [Range<Int>] = []
    let template = ChunkSliceRecord(time: EventTime(1), source: source, message: [], fields: RecordFields(path: path))
    var out: [ChunkSliceRecord] = []
    out.reserveCapacity(batchSize * 2)
    var offset = 0
    while true {
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(offset)) }
        if n <= 0 { break }
        offset += chunk.withUnsafeBytes { splitLines($0, count: n, into: &ranges) }
        for range in ranges {
            out.append(template)
            out[out.count - 1].message = chunk[range]
        }
        out[out.count - 1].checkpoint = checkpoint(offset)
        if out.count >= batchSize {
            let batch = out
            out = []
            out.reserveCapacity(batchSize * 2)
            for i in 0..<batch.count { result.bytes &+= batch[i].message.count &+ 1 }
            result.lines += batch.count
        }
    }
    for i in 0..<out.count { result.bytes &+= out[i].message.count &+ 1 }
    result.lines += out.count
    result.cpu = cpuSeconds() - start
    return result
}

func sharedFields() -> Result {
    let start = cpuSeconds()
    var result = Result(cpu: 0, lines: 0, bytes: 0)
    var ranges: [Range<Int>] = []
    let template = SharedFieldsRecord(time: EventTime(1), message: [],
                                      shared: SharedFields(source: source, fields: RecordFields(path: path)))
    var out: [SharedFieldsRecord] = []
    out.reserveCapacity(batchSize * 2)
    var offset = 0
    while true {
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(offset)) }
        if n <= 0 { break }
        offset += chunk.withUnsafeBytes { splitLines($0, count: n, into: &ranges) }
        for range in ranges {
            out.append(template)
            out[out.count - 1].message = chunk[range]
        }
        out[out.count - 1].checkpoint = checkpoint(offset)
        if out.count >= batchSize {
            let batch = out
            out = []
            out.reserveCapacity(batchSize * 2)
            for i in 0..<batch.count { result.bytes &+= batch[i].message.count &+ 1 }
            result.lines += batch.count
        }
    }
    for i in 0..<out.count { result.bytes &+= out[i].message.count &+ 1 }
    result.lines += out.count
    result.cpu = cpuSeconds() - start
    return result
}

let names = ["owned message (LogRecord today)", "chunk-slice message", "chunk-slice message + shared fields"]
var best = [Double](repeating: .infinity, count: names.count)
var lines = 0
var bytes = 0
for _ in 1...rounds {
    for (i, result) in [ownedMessage(), chunkSlice(), sharedFields()].enumerated() {
        best[i] = min(best[i], result.cpu)
        precondition(i == 0 || (result.lines == lines && result.bytes == bytes), "layouts disagree")
        lines = result.lines
        bytes = result.bytes
    }
}
func fixed(_ x: Double, _ digits: Int) -> String {
    var s = String(Int((x * pow(10, Double(digits))).rounded()))
    while s.count <= digits { s = "0" + s }
    return digits == 0 ? s : String(s.dropLast(digits)) + "." + String(s.suffix(digits))
}
print("\(lines) lines, \(bytes) bytes (newlines included); best CPU-s of \(rounds) rounds per layout:")
for i in names.indices {
    let name = names[i] + String(repeating: " ", count: max(0, 40 - names[i].count))
    print("  \(name) \(fixed(best[i], 3)) CPU-s  \(fixed(best[i] / Double(lines) * 1e9, 1)) ns/line  "
        + "\(fixed(best[0] / best[i], 2))x today's speed")
}
