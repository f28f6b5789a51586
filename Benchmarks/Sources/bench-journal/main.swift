// Reads journal files end to end through JournalSource and prints the rate.
// Usage: bench-journal FILE... [--batch N] [--repeat R]
// scripts/bench-journal runs it beside `journalctl --file F -o export > /dev/null`.
import Ingest
import RationCore
#if canImport(Glibc)
import Glibc
#endif

var files: [String] = []
var batch = 1000
var repeats = 1
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--batch": batch = Int(arguments.popFirst() ?? "") ?? batch
    case "--repeat": repeats = Int(arguments.popFirst() ?? "") ?? repeats
    default: files.append(argument)
    }
}
guard !files.isEmpty else {
    print("usage: bench-journal FILE... [--batch N] [--repeat R]")
    exit(2)
}

for run in 1...repeats {
    let clock = ContinuousClock()
    let start = clock.now
    let source = try JournalSource(configuration: .init(id: "bench", open: .files(files), readFrom: .head),
                                   notify: { _ in })
    var entries = 0
    var messageBytes = 0
    var last = EventTime.zero
    while true {
        let records = try source.nextBatch(maxRecords: batch, timeout: .zero)
        if records.isEmpty { break }
        entries += records.count
        for record in records { messageBytes += record.message.count }
        last = records[records.count - 1].time
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("run=\(run) entries=\(entries) message_bytes=\(messageBytes) seconds=\(seconds) entries_per_s=\(Int(Double(entries) / seconds)) last_time_us=\(last.microsecondsSinceEpoch)")
}
