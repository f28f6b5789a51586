#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Puts the control socket at its path with its mode and group already set, without ever
/// following a link an attacker may have left there.
///
/// On Linux `fchmod`/`fchown` on a socket descriptor do not reach the inode `bind` creates,
/// and `chmod` by path after `bind` follows a symlink swapped in meanwhile. A process umask
/// would work for the mode but is process-wide, so other threads creating files at the same
/// moment would get it too. Instead the socket is bound inside a fresh private directory
/// (mode 0700, created next to the final path, so only this process can touch what is in
/// it), its group and mode are set there, and `rename` moves it to the final path: `rename`
/// replaces whatever is at the target (a stale socket, a symlink) instead of following it,
/// and clients never see the socket with other permissions. The parent directory must not
/// be writable by users other than root and the daemon's own user, who could otherwise
/// replace the socket after it is published.
struct SocketPlacement {
    let path: String
    let privateDirectory: String
    var privatePath: String { privateDirectory + "/s" }

    /// Checks the parent directory and creates the private one beside the final path.
    init(path: String) throws {
        self.path = path
        let parent = (path as NSString).deletingLastPathComponent
        try Self.checkParent(parent.isEmpty ? "." : parent, socket: path)
        var template = Array((parent + "/.rationd-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } }) else {
            throw ControlServerError(path: path, message: "cannot create a private directory in \(parent): \(String(cString: strerror(errno)))")
        }
        privateDirectory = made
        guard (privateDirectory + "/s").utf8.count < 108 else {
            rmdir(privateDirectory)
            throw ControlServerError(path: path, message: "the directory's path is too long to bind the socket in it safely (at most 97 bytes)")
        }
    }

    /// Refuses a parent directory that others than root and this user could write into.
    static func checkParent(_ parent: String, socket: String) throws {
        var st = stat()
        guard stat(parent, &st) == 0 else {
            throw ControlServerError(path: socket, message: "\(parent): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw ControlServerError(path: socket, message: "\(parent) is not a directory") }
        let owner = st.st_uid
        if owner != 0 && owner != geteuid() {
            throw ControlServerError(path: socket, message: "\(parent) is owned by uid \(owner), not by root or the daemon's user: another user could replace the socket")
        }
        if st.st_mode & 0o022 != 0 {
            throw ControlServerError(path: socket, message: "\(parent) is writable by its group or by others (mode \(String(st.st_mode & 0o7777, radix: 8))): another user could replace the socket; make it 0755")
        }
    }

    /// Sets the bound socket's group and mode, then moves it to the final path.
    func publish(group: UInt32?, mode: UInt32) throws {
        defer { abandon() }
        if let group, lchown(privatePath, uid_t.max, group) != 0 {
            throw ControlServerError(path: path, message: "cannot set group \(group): \(String(cString: strerror(errno)))")
        }
        if chmod(privatePath, mode_t(mode)) != 0 {
            throw ControlServerError(path: path, message: "cannot set mode: \(String(cString: strerror(errno)))")
        }
        if rename(privatePath, path) != 0 {
            throw ControlServerError(path: path, message: "cannot move the socket into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the private directory (and the socket, if it was never moved out).
    func abandon() {
        unlink(privatePath)
        rmdir(privateDirectory)
    }
}
