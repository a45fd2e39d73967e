internal import Glibc

/// An exclusive advisory lock on a file (`flock`), held from `acquire` until the value is released.
///
/// Guards read-modify-write cycles across processes: two `jobs start` editing one `studio.yaml`,
/// two writers appending to one dataset. The lock file is created when missing and never removed
/// (removing it would let a third process lock a different inode). The kernel drops the lock when
/// the process dies, so a `kill -9` never leaves a workspace locked.
public final class FileLock {
    /// The lock file.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock, waiting for another holder to release it (`wait`), or returns nil at once
    /// when it is held (`wait: false`).
    public static func acquire(_ path: String, wait: Bool = true) throws(ImageIOError) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIO.systemError(.writeFailed, path, "cannot open the lock file") }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let error = FileIO.systemError(.writeFailed, path, "cannot lock")
            close(fd)
            if busy && !wait { return nil }
            throw error
        }
        return FileLock(path: path, fd: fd)
    }

    /// Whether some process holds the lock on `path` (false when the file does not exist).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }
}
