#if canImport(Glibc)
import Glibc
#endif
import RationCore

/// Finding files, telling rotations apart, and resuming from saved checkpoints.
extension FileSource {
    /// An opened file next to a followed path, with what identifies it.
    struct OpenedFile {
        var path: String
        var fd: Int32
        var identity: FileIdentity
        var size: UInt64
        var modified: timespec
    }

    // MARK: Scanning

    func scan(now: UInt64) {
        if let inotify {
            for dir in matcher.watchDirectories() + current.keys.map(FilePathMatcher.parent(of:)) {
                if !inotify.watch(directory: dir), !reportedFailures.contains("watch:" + dir), FilePathMatcher.isDirectory(dir) {
                    reportedFailures.insert("watch:" + dir)
                    note("\(dir): inotify watch failed (\(String(cString: strerror(errno)))); polling every \(configuration.pollInterval)")
                }
            }
        }
        let paths = matcher.expand()
        for path in paths where current[path] == nil {
            follow(path, now: now)
        }
        // Followed paths of the saved state that are gone now: their rotated files may
        // still hold unread lines.
        for path in pathsWithHistory where !seenPaths.contains(path) {
            seenPaths.insert(path)
            recoverRotated(path, followed: nil, now: now, live: false)
        }
        skipExistingContent = false
        let seen = Self.realtimeNow()
        for file in draining + current.values { file.stream.lastSeen = seen }
        expireStreams(now: seen)
    }

    /// Opens a newly matched path and decides where reading starts.
    func follow(_ path: String, now: UInt64) {
        guard let opened = open(path) else { return }
        if isOpen(opened.identity) {
            close(opened.fd)  // a rotated name of a file already followed
            return
        }
        reportedFailures.remove(path)
        let firstSight = !seenPaths.contains(path)
        seenPaths.insert(path)
        if firstSight {
            if pathsWithHistory.contains(path) {
                recoverRotated(path, followed: opened, now: now, live: false)
            } else {
                registerHistory(of: path)
            }
        }
        var start: UInt64 = 0
        let stream: FileStreamCheckpoint
        if let saved = streams[opened.identity], saved.matches(fd: opened.fd, size: opened.size) {
            stream = saved
            start = saved.position.offset
        } else {
            if streams[opened.identity] != nil {
                note("\(path): same inode but different content than checkpointed (inode reuse or rewrite); reading from the start")
                stream = newStream(path: path, opened: opened, offset: 0)
            } else if skipExistingContent {
                start = opened.size
                stream = newStream(path: path, opened: opened, offset: start)
            } else {
                stream = newStream(path: path, opened: opened, offset: 0)
            }
        }
        streams[opened.identity] = stream
        let file = makeFile(path: path, opened: opened, stream: stream, offset: start, drain: .following, now: now)
        current[path] = file
    }

    /// Notices a followed path that now names another file, or none.
    func checkRotations(now: UInt64) {
        for (path, file) in current {
            var st = stat()
            let missing = stat(path, &st) != 0
            if missing && errno != ENOENT { continue }
            if !missing && FileIdentity(st) == file.identity { continue }
            file.drain = .untilQuiet
            current[path] = nil
            draining.append(file)
            needsScan = true
            recoverRotated(path, followed: nil, now: now, live: true)
        }
    }

    // MARK: copytruncate

    /// The followed file shrank or its bytes before the read offset changed: it was copied
    /// and truncated. The rest of the old content is read from the copy, then the file from 0.
    func handleTruncation(of file: FollowedFile, size: UInt64, now: UInt64) {
        var foundCopy = false
        let recent = file.recentBytes(64)
        for sibling in openSiblings(of: file.path) {
            if let known = streams[sibling.identity], known.matches(fd: sibling.fd, size: sibling.size) {
                close(sibling.fd)  // an older rotation, already known
                continue
            }
            let sameHead = file.headLength > 0 && sibling.size >= UInt64(file.headLength)
                && FileFingerprint.hash(fd: sibling.fd, offset: 0, length: file.headLength) == file.headHash
            if foundCopy || !sameHead {
                if foundCopy {
                    // A newer copy whose original was never read: read it whole.
                    startDrain(sibling, stream: newStream(path: file.path, opened: sibling, offset: 0), offset: 0,
                               drain: .toEnd, now: now)
                } else {
                    close(sibling.fd)
                }
                continue
            }
            foundCopy = true
            if sibling.size >= file.readOffset
                && FileFingerprint.bytesEqual(fd: sibling.fd, endingAt: file.readOffset, expected: recent)
            {
                // The copy holds the rest of the content: continue there, with the unfinished
                // line and multi-line record, and the same stream (pending checkpoints follow).
                let copy = FollowedFile(path: file.path, fd: sibling.fd, identity: sibling.identity, stream: file.stream,
                                        splitter: file.splitter, merger: file.merger, drain: .toEnd,
                                        fingerprintBytes: configuration.fingerprintBytes,
                                        tailHashBytes: configuration.tailHashBytes, now: now)
                copy.adopt(head: file.head, window: file.window)
                if streams[file.identity] === file.stream { streams[file.identity] = nil }
                file.stream.identity = sibling.identity
                streams[sibling.identity] = file.stream
                draining.append(copy)
            } else {
                // A copy we had already read past: everything in it was delivered.
                streams[sibling.identity] = newStream(path: file.path, opened: sibling, offset: sibling.size)
                close(sibling.fd)
                finish(file, now: now)
            }
        }
        if !foundCopy {
            note("\(file.path): truncated at \(file.readOffset) bytes (now \(size)) and no rotated copy found; reading from the start")
            finish(file, now: now)
        }
        // The file itself starts over as new content.
        var st = stat()
        fstat(file.fd, &st)
        let opened = OpenedFile(path: file.path, fd: file.fd, identity: file.identity, size: UInt64(st.st_size),
                                modified: st.st_mtim)
        file.stream = newStream(path: file.path, opened: opened, offset: 0)
        streams[file.identity] = file.stream
        file.splitter = LineSplitter(maxLineBytes: configuration.maxLineBytes)
        file.merger = mergerTemplate
        file.uncheckpointedEnd = nil
        file.restart(head: [])
    }

    // MARK: Rotated files

    /// Reads what rotated files of `path` still hold: saved streams continue at their offset
    /// (found by inode, or by content when copytruncate made a copy), files that appeared
    /// while nobody read them are read whole, oldest first.
    func recoverRotated(_ path: String, followed: OpenedFile?, now: UInt64, live: Bool) {
        var candidates = streams.values.filter { stream in
            guard stream.position.path == path, !isOpen(stream.identity) else { return false }
            if let followed, stream.identity == followed.identity, stream.matches(fd: followed.fd, size: followed.size) {
                return false
            }
            return stream.position.offset > 0
        }
        let seen = Self.realtimeNow()
        for sibling in openSiblings(of: path) {
            if let stream = streams[sibling.identity] {
                stream.lastSeen = seen
                if stream.matches(fd: sibling.fd, size: sibling.size) {
                    candidates.removeAll { $0 === stream }
                    if sibling.size > stream.position.offset {
                        startDrain(sibling, stream: stream, offset: stream.position.offset, drain: .untilQuiet, now: now)
                        continue
                    }
                    close(sibling.fd)
                    continue
                }
            }
            if let index = candidates.firstIndex(where: { isCopy(sibling, of: $0) }) {
                let stream = candidates.remove(at: index)
                if streams[stream.identity] === stream { streams[stream.identity] = nil }
                stream.identity = sibling.identity
                streams[sibling.identity] = stream
                startDrain(sibling, stream: stream, offset: stream.position.offset, drain: .toEnd, now: now)
            } else if candidates.contains(where: { isCopyReadPast(sibling, of: $0) }) {
                // copytruncate copied less than had been delivered from the original already.
                streams[sibling.identity] = newStream(path: path, opened: sibling, offset: sibling.size)
                close(sibling.fd)
            } else {
                if !live { note("\(sibling.path): rotated file not seen before; reading it whole") }
                startDrain(sibling, stream: newStream(path: path, opened: sibling, offset: 0), offset: 0,
                           drain: .untilQuiet, now: now)
            }
        }
    }

    /// Remembers the rotated files present when a path is first followed as already read.
    func registerHistory(of path: String) {
        for sibling in openSiblings(of: path) {
            if streams[sibling.identity]?.matches(fd: sibling.fd, size: sibling.size) != true {
                streams[sibling.identity] = newStream(path: path, opened: sibling, offset: sibling.size)
            }
            close(sibling.fd)
        }
    }

    func isCopy(_ sibling: OpenedFile, of stream: FileStreamCheckpoint) -> Bool {
        let p = stream.position
        guard p.fingerprintLength > 0, sibling.size >= p.offset, sibling.size >= UInt64(p.fingerprintLength),
              FileFingerprint.hash(fd: sibling.fd, offset: 0, length: p.fingerprintLength) == p.headFingerprint
        else { return false }
        return FileFingerprint.hash(fd: sibling.fd, offset: p.offset - UInt64(p.tailHashLength), length: p.tailHashLength)
            == p.tailHash
    }

    /// Whether `sibling` starts like the stream's content but ends before its offset: a copy
    /// of a prefix that was delivered already.
    func isCopyReadPast(_ sibling: OpenedFile, of stream: FileStreamCheckpoint) -> Bool {
        let p = stream.position
        return p.fingerprintLength > 0 && sibling.size < p.offset && sibling.size >= UInt64(p.fingerprintLength)
            && FileFingerprint.hash(fd: sibling.fd, offset: 0, length: p.fingerprintLength) == p.headFingerprint
    }

    /// Rotated siblings that are not open already and not compressed, oldest first.
    func openSiblings(of path: String) -> [OpenedFile] {
        var result: [OpenedFile] = []
        for sibling in matcher.rotatedSiblings(of: path) {
            guard let opened = open(sibling) else { continue }
            if isOpen(opened.identity) || FileFingerprint.looksCompressed(fd: opened.fd) {
                close(opened.fd)
                continue
            }
            result.append(opened)
        }
        return result.sorted {
            ($0.modified.tv_sec, $0.modified.tv_nsec, $0.path) < ($1.modified.tv_sec, $1.modified.tv_nsec, $1.path)
        }
    }

    // MARK: Plumbing

    func open(_ path: String) -> OpenedFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e != ENOENT && !reportedFailures.contains(path) {
                reportedFailures.insert(path)
                if e == EACCES || e == EPERM {
                    note(IngestError.permission(path: path, hint: "make it readable by rationd (for /var/log: group adm)").description)
                } else {
                    note(IngestError.file(path: path, operation: "open", errno: e).description)
                }
            }
            return nil
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        return OpenedFile(path: path, fd: fd, identity: FileIdentity(st), size: UInt64(st.st_size), modified: st.st_mtim)
    }

    func isOpen(_ identity: FileIdentity) -> Bool {
        current.values.contains { $0.identity == identity } || draining.contains { $0.identity == identity }
    }

    func newStream(path: String, opened: OpenedFile, offset: UInt64) -> FileStreamCheckpoint {
        let head = FileFingerprint.head(fd: opened.fd, size: opened.size, maxBytes: configuration.fingerprintBytes)
        let tail = FileFingerprint.tail(fd: opened.fd, endingAt: offset, maxBytes: configuration.tailHashBytes) ?? (0, 0)
        let position = FilePosition(path: path, device: opened.identity.device, inode: opened.identity.inode,
                                    headFingerprint: head.hash, fingerprintLength: head.length, offset: offset,
                                    tailHash: tail.hash, tailHashLength: tail.length)
        return FileStreamCheckpoint(position: position, lastSeen: Self.realtimeNow())
    }

    func makeFile(path: String, opened: OpenedFile, stream: FileStreamCheckpoint, offset: UInt64,
                  drain: FollowedFile.Drain, now: UInt64) -> FollowedFile {
        let file = FollowedFile(path: path, fd: opened.fd, identity: opened.identity, stream: stream,
                                splitter: LineSplitter(maxLineBytes: configuration.maxLineBytes, startingAt: offset),
                                merger: mergerTemplate, drain: drain, fingerprintBytes: configuration.fingerprintBytes,
                                tailHashBytes: configuration.tailHashBytes, now: now)
        file.loadFromFile()
        return file
    }

    func startDrain(_ opened: OpenedFile, stream: FileStreamCheckpoint, offset: UInt64, drain: FollowedFile.Drain,
                    now: UInt64) {
        streams[opened.identity] = stream
        draining.append(makeFile(path: stream.position.path, opened: opened, stream: stream, offset: offset,
                                 drain: drain, now: now))
    }

    /// Drops the streams whose content is gone: not open, and under no name the source looks at
    /// (the followed path and its rotated siblings). A file deleted by rotation goes once it was
    /// missing from every sweep for `configuration.missingGrace` (a directory listing taken while logrotate
    /// renames `.1` to `.2` can miss a file that is there) and the followed path holds a file;
    /// while the followed path is missing altogether (deleted, or on a filesystem not mounted
    /// yet), its streams wait `expireAfter`. Forgotten streams are reported through
    /// `takeForgottenStreams` so that saved checkpoints lose them too.
    func expireStreams(now: EventTime) {
        let idle = streams.values.filter { !isOpen($0.identity) }
        guard !idle.isEmpty else { return }
        let limit = Int64(min(expireNs / 1000, UInt64(Int64.max / 2)))
        var present = Set<FileIdentity>()
        var followedPresent = Set<String>()
        for path in Set(idle.map(\.position.path)) {
            var st = stat()
            if stat(path, &st) == 0 {
                present.insert(FileIdentity(st))
                followedPresent.insert(path)
            }
            for sibling in matcher.rotatedSiblings(of: path) where stat(sibling, &st) == 0 {
                present.insert(FileIdentity(st))
            }
        }
        for stream in idle where streams[stream.identity] === stream {
            if present.contains(stream.identity) {
                stream.lastSeen = now
                stream.missingSince = nil
                continue
            }
            let missingSince = stream.missingSince ?? now
            stream.missingSince = missingSince
            let expired = now.microsecondsSinceEpoch - stream.lastSeen.microsecondsSinceEpoch > limit
            let deleted = followedPresent.contains(stream.position.path)
                && now.microsecondsSinceEpoch - missingSince.microsecondsSinceEpoch >= configuration.missingGrace.microseconds
            guard expired || deleted else { continue }
            streams[stream.identity] = nil
            forgotten.append(Checkpoint(source: id, position: .file(stream.position)))
        }
    }
}
