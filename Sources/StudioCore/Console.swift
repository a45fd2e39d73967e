internal import Glibc

/// Writes to the standard streams with `write(2)`, whatever happens: a full disk under a
/// redirected stderr, a closed pipe. Foundation's `FileHandle.write` traps on such errors, which
/// killed the job supervisor on a full disk before it could say why.
public enum Console {
    /// Writes `text` to standard output; false when it could not be written whole.
    @discardableResult
    public static func out(_ text: String) -> Bool { write(text, to: STDOUT_FILENO) }

    /// Writes `text` to standard error; false when it could not be written whole.
    @discardableResult
    public static func error(_ text: String) -> Bool { write(text, to: STDERR_FILENO) }

    static func write(_ text: String, to fd: Int32) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}
