#if canImport(Glibc)
import Glibc
#endif

/// The journal files a configured open mode would read, found before sd-journal is asked:
/// sd-journal silently skips what it cannot read (a missing directory, a file the user may
/// not open), and the operator must hear about both.
struct JournalFileInventory {
    /// Directories or files that should hold the journal.
    var roots: [String] = []
    /// Journal files found (`*.journal`, `*.journal~`).
    var files: [String] = []
    /// Paths that exist but may not be read.
    var unreadable: [String] = []

    static let systemRoots = ["/run/log/journal", "/var/log/journal"]

    static func scan(_ mode: JournalSourceConfiguration.OpenMode) -> JournalFileInventory {
        var inventory = JournalFileInventory()
        switch mode {
        case .local:
            inventory.roots = systemRoots
            for root in systemRoots { inventory.addDirectory(root, namespace: nil, depth: 1) }
        case let .namespace(name):
            inventory.roots = systemRoots.map { "\($0)/*.\(name)" }
            for root in systemRoots { inventory.addDirectory(root, namespace: name, depth: 1) }
        case let .directory(path):
            inventory.roots = [path]
            inventory.addDirectory(path, namespace: nil, depth: 1)
        case let .files(paths):
            inventory.roots = paths
            for path in paths where exists(path) {
                inventory.files.append(path)
                if access(path, R_OK) != 0 { inventory.unreadable.append(path) }
            }
        }
        return inventory
    }

    static func isMachineID(_ name: Substring) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Adds journal files in `directory` and, up to `depth` levels down, in its machine-id
    /// subdirectories (`<id>` for the default namespace, `<id>.<namespace>` otherwise).
    private mutating func addDirectory(_ directory: String, namespace: String?, depth: Int) {
        guard let handle = opendir(directory) else {
            if errno == EACCES || errno == EPERM { unreadable.append(directory) }
            return
        }
        defer { closedir(handle) }
        var subdirectories: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                subdirectories.append(name)
            } else if (info.st_mode & S_IFMT) == S_IFREG, name.hasSuffix(".journal") || name.hasSuffix(".journal~") {
                // A namespace's files live only in its own subdirectory.
                if namespace != nil, depth == 1 { continue }
                files.append(path)
                if access(path, R_OK) != 0 { unreadable.append(path) }
            }
        }
        guard depth > 0 else { return }
        for name in subdirectories {
            let dot = name.firstIndex(of: ".")
            let suffix = dot.map { String(name[name.index(after: $0)...]) }
            // Like sd-journal, only machine-id directories (`remote/` and others are not read).
            guard suffix == namespace, Self.isMachineID(name[..<(dot ?? name.endIndex)]) else { continue }
            addDirectory(directory + "/" + name, namespace: namespace, depth: depth - 1)
        }
    }
}
