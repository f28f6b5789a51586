import Foundation
import RationCore

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TestDirectory {
    let path: String

    init(_ name: String) {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("alertstore-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Bytes of every file in the directory.
    func diskUsage() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.reduce(0) { sum, name in
            let attrs = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            return sum + ((attrs?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    func files(prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
            .map { path + "/" + $0 }
    }
}
