#if canImport(Glibc)
import Glibc
#endif

/// Expands the include globs, drops excluded paths, and finds the rotated siblings of a
/// followed file (`app.log.1`, `app.log-20240101`) that rotation and restarts must consult.
struct FilePathMatcher: Sendable {
    var include: [String]
    var exclude: [String]

    /// File name endings of compressed rotations, never read.
    static let compressedSuffixes = [".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z", ".zip", ".lzma"]

    func isExcluded(_ path: String) -> Bool {
        exclude.contains { fnmatch($0, path, 0) == 0 }
    }

    func isIncluded(_ path: String) -> Bool {
        include.contains { fnmatch($0, path, FNM_PATHNAME) == 0 } && !isExcluded(path)
    }

    static func isCompressedName(_ path: String) -> Bool {
        compressedSuffixes.contains { path.hasSuffix($0) }
    }

    /// Regular files matching an include glob and no exclude, sorted.
    func expand() -> [String] {
        var result = Set<String>()
        for pattern in include {
            var g = glob_t()
            defer { globfree(&g) }
            guard glob(pattern, 0, nil, &g) == 0 else { continue }
            for i in 0..<Int(g.gl_pathc) {
                guard let p = g.gl_pathv[i] else { continue }
                let path = String(cString: p)
                if isExcluded(path) || Self.isCompressedName(path) { continue }
                var st = stat()
                if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { result.insert(path) }
            }
        }
        return result.sorted()
    }

    /// Directories worth watching: the fixed part of each include pattern (or its nearest
    /// existing ancestor, so a directory created later is noticed at once).
    func watchDirectories() -> [String] {
        var dirs = Set<String>()
        for pattern in include {
            var fixed: [Substring] = []
            let components = pattern.split(separator: "/", omittingEmptySubsequences: true)
            for component in components.dropLast() {
                if component.contains(where: { "*?[".contains($0) }) { break }
                fixed.append(component)
            }
            var dir = "/" + fixed.joined(separator: "/")
            while dir != "/" && !Self.isDirectory(dir) { dir = Self.parent(of: dir) }
            dirs.insert(dir)
        }
        return dirs.sorted()
    }

    /// Uncompressed, non-excluded files next to `path` whose names extend its name by a
    /// separator (`.`, `-`, `_`), excluding files followed in their own right.
    func rotatedSiblings(of path: String) -> [String] {
        let dir = Self.parent(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var result: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.count > base.count, name.hasPrefix(base) else { continue }
            let separator = name[name.index(name.startIndex, offsetBy: base.count)]
            guard separator == "." || separator == "-" || separator == "_" else { continue }
            let full = (dir == "/" ? "" : dir) + "/" + name
            if Self.isCompressedName(full) || isExcluded(full) || isIncluded(full) { continue }
            result.append(full)
        }
        return result
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
