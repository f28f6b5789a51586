import CLibFuzzer
import AlertStore
import Evaluation
import Foundation
import RationCore

/// The alert store's readers on damaged input. The first byte picks what the rest is:
/// 0 a stored alert's binary payload, 1 a sealed segment file, 2 a write-ahead segment
/// file. Files are opened the way `rationd alerts` does (read-only, every block verified)
/// and every alert is read back, which runs the header, footer, block, zstd and record
/// recovery paths.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let mode = input.first else { return 0 }
    let rest = Array(input.dropFirst())
    switch mode % 3 {
    case 0:
        _ = try? AlertBinaryCodec.decode(rest, 0..<rest.count)
    case 1:
        readStore(with: StoreDirectory.sealed, contents: rest)
    default:
        readStore(with: StoreDirectory.active, contents: rest)
    }
    return 0
}

private func readStore(with file: String, contents: [UInt8]) {
    let other = file == StoreDirectory.sealed ? StoreDirectory.active : StoreDirectory.sealed
    unlink(other)
    guard FileManager.default.createFile(atPath: file, contents: Data(contents)) else { fatalError("cannot write \(file)") }
    guard let store = try? AlertStore.openReadOnly(directory: StoreDirectory.path, verify: true) else { return }
    if let all = try? store.queryStored(AlertQuery(limit: .max)) {
        for stored in all { _ = try? store.storedAlert(id: stored.alert.id) }
    }
    store.close()
}

/// The directory this process reads its segment files from: one store, its FORMAT written
/// once, one segment at a time.
private enum StoreDirectory {
    static let path: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let path = "\(base)/rationd-fuzz-alerts-\(getpid())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try! Data("rationd alert store\nschema 1\n".utf8).write(to: URL(fileURLWithPath: path + "/FORMAT"))
        return path
    }()
    static let sealed = path + "/seg-0000000000000001.zst"
    static let active = path + "/wal-0000000000000001.log"
}

/// With RATIOND_FUZZ_SEEDS set, writes seeds the store itself produced into that directory:
/// payloads, sealed segments and write-ahead segments of synthetic alerts, each behind its
/// mode byte.
func writeSeeds() {
    guard let seeds = ProcessInfo.processInfo.environment["RATIOND_FUZZ_SEEDS"] else { return }
    let synthetic = SyntheticAlerts(units: 3, eventsPerWindow: 3, repeatEvery: 0)
    func write(_ name: String, _ mode: UInt8, _ bytes: [UInt8]) {
        try! Data([mode] + bytes).write(to: URL(fileURLWithPath: "\(seeds)/store-\(name)"))
    }
    for n in 0..<3 { write("payload-\(n)", 0, AlertBinaryCodec.encode(StoredAlert(alert: synthetic.alert(n)))) }
    let directory = StoreDirectory.path + "-seeds"
    try? FileManager.default.removeItem(atPath: directory)
    let configuration = AlertStoreConfiguration(directory: directory, segmentMaxBytes: 4096, syncPolicy: .batched,
                                                blockMaxBytes: 1024)
    let store = try! AlertStore(configuration: configuration)
    for n in 0..<12 { _ = try! store.append(synthetic.alert(n)) }
    store.close()
    for name in try! FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
        let bytes = Array(try! Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        if name.hasPrefix("seg-") { write(name, 1, bytes) }
        if name.hasPrefix("wal-") { write(name, 2, bytes) }
    }
    try? FileManager.default.removeItem(atPath: directory)
}

writeSeeds()
exit(rationd_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv, fuzz))
