internal import CLibC
internal import Glibc
internal import StudioCore

/// Every file system call ImageIO (and the modules above it) makes goes through here, so errors are
/// reported one way: an `ImageIOError` naming the path and what the system said.
public enum FileIO {
    /// The whole file, refusing files larger than `limit` bytes before reading them.
    public static func read(_ path: String, limit: Int = 1 << 31) throws(ImageIOError) -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemError(.unreadable, path, "cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ImageIOError(.unreadable, path: path, "not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw ImageIOError(.tooLarge, path: path, "file of \(size) bytes exceeds the limit of \(limit) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let got = try readFully(fd, into: &bytes, count: size, path: path)
        if got < size { bytes.removeSubrange(got...) }
        return bytes
    }

    /// At most the first `count` bytes of the file (fewer when it is shorter).
    public static func readPrefix(_ path: String, count: Int) throws(ImageIOError) -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try readFully(fd, into: &bytes, count: count, path: path)
        if got < count { bytes.removeSubrange(got...) }
        return bytes
    }

    /// At most the last `count` bytes of the file.
    public static func readTail(_ path: String, count: Int) throws(ImageIOError) -> [UInt8] {
        let fd = try open(path)
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw systemError(.unreadable, path, "cannot seek") }
        let start = max(0, Int(end) - count)
        guard lseek(fd, off_t(start), SEEK_SET) >= 0 else { throw systemError(.unreadable, path, "cannot seek") }
        var bytes = [UInt8](repeating: 0, count: Int(end) - start)
        let got = try readFully(fd, into: &bytes, count: bytes.count, path: path)
        if got < bytes.count { bytes.removeSubrange(got...) }
        return bytes
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed to disk, then
    /// renamed over the target. A process killed at any moment leaves the old file or the new one,
    /// never half of either; on failure the temporary file is removed.
    ///
    /// `durable: false` skips the flush: still atomic for a process killed at any instant (the
    /// rename happens after the whole file is written), but not ordered against a power cut —
    /// for files a later durable write makes reachable (a unit's label file, before the journal
    /// line that commits it).
    public static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String, durable: Bool = true) throws(ImageIOError) {
        let directory = parentDirectory(of: path)
        let base = lastComponent(of: path)
        var template = Array("\(directory)/.\(base).tmp-XXXXXX".utf8CString)
        // Close-on-exec: a process spawned meanwhile must not inherit the half-written file.
        let fd = template.withUnsafeMutableBufferPointer { mkostemp($0.baseAddress!, O_CLOEXEC) }
        guard fd >= 0 else { throw systemError(.writeFailed, path, "cannot create a temporary file in \(directory)") }
        let tempPath = String(cString: template.map { UInt8(bitPattern: $0) })
        var ok = false
        defer {
            if !ok { unlink(tempPath) }
        }
        // mkstemp creates 0600; give the file the mode a plain create would have.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        let contiguous = Array(bytes)
        var offset = 0
        while offset < contiguous.count {
            let n = contiguous.withUnsafeBytes { write(fd, $0.baseAddress! + offset, contiguous.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = systemError(.writeFailed, path, "cannot write")
                close(fd)
                throw error
            }
            offset += n
        }
        guard !durable || fsync(fd) == 0 else {
            let error = systemError(.writeFailed, path, "cannot flush")
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw systemError(.writeFailed, path, "cannot close") }
        guard rename(tempPath, path) == 0 else { throw systemError(.writeFailed, path, "cannot rename into place") }
        ok = true
    }

    /// Appends `bytes` to `path` (created when missing) in one `write` per chunk, then flushes
    /// the data to disk (`fdatasync`) when `durable`. A process killed mid-way leaves at most a
    /// torn tail, which readers of append-only files (a journal) ignore and the next append cuts.
    public static func append(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(ImageIOError) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw systemError(.writeFailed, path, "cannot open for appending") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError(.writeFailed, path, "cannot append")
            }
            offset += n
        }
        if durable, fdatasync(fd) != 0 { throw systemError(.writeFailed, path, "cannot flush") }
    }

    /// Cuts a file to its first `size` bytes.
    public static func truncate(_ path: String, to size: Int) throws(ImageIOError) {
        guard Glibc.truncate(path, off_t(size)) == 0 else { throw systemError(.writeFailed, path, "cannot truncate") }
    }

    /// Removes a file; a file already gone is not an error.
    public static func remove(_ path: String) throws(ImageIOError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw systemError(.writeFailed, path, "cannot remove") }
    }

    /// Moves a file to `target`, which must not exist: never replaces another file (a hard link,
    /// then the source is unlinked). False, with nothing changed, when `target` exists.
    public static func moveWithoutReplacing(_ source: String, to target: String) throws(ImageIOError) -> Bool {
        if link(source, target) != 0 {
            if errno == EEXIST { return false }
            throw systemError(.writeFailed, target, "cannot move \(source) to")
        }
        guard unlink(source) == 0 else { throw systemError(.writeFailed, source, "cannot remove after linking it to \(target)") }
        return true
    }

    /// One entry of a directory, with symbolic links followed for the kind and identity.
    public struct Entry: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case file, directory, other, broken }
        public let name: String
        public let kind: Kind
        /// Device and inode of what the entry points at, so a walker can notice a loop of links.
        public let identity: FileIdentity?
        /// Size in bytes and modification time (nanoseconds since 1970) for regular files.
        public let size: Int
        public let modified: Int64
        public let isSymbolicLink: Bool
        /// False when the name on disk is not valid UTF-8 (`name` then shows its bytes with
        /// replacement characters, and the entry cannot be opened by it).
        public var nameIsUTF8 = true
    }

    /// Device and inode: the same for every path that reaches one file or folder.
    public struct FileIdentity: Sendable, Hashable {
        public let device: UInt64
        public let inode: UInt64
    }

    /// The entries of a directory (without `.` and `..`), sorted by name (byte order). Entries
    /// are stat'ed relative to the open directory (`fstatat`), on all cores for large folders.
    public static func list(_ path: String) throws(ImageIOError) -> [Entry] {
        guard let dir = opendir(path) else { throw systemError(.unreadable, path, "cannot list the folder") }
        defer { closedir(dir) }
        var names: [(name: String, isLink: Bool, valid: Bool)] = []
        let fd = dirfd(dir)
        while let raw = readdir(dir) {
            let (name, valid) = withUnsafeBytes(of: raw.pointee.d_name) { bytes in
                let raw = Array(bytes.prefix(while: { $0 != 0 }))
                let decoded = String(decoding: raw, as: UTF8.self)
                return (decoded, Array(decoded.utf8) == raw)
            }
            if name == "." || name == ".." { continue }
            var isLink = raw.pointee.d_type == UInt8(DT_LNK)
            if raw.pointee.d_type == UInt8(DT_UNKNOWN) {
                // Some file systems do not say: ask without following the link.
                var info = stat()
                isLink = fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
            }
            names.append((name, isLink, valid))
        }
        func entry(_ item: (name: String, isLink: Bool, valid: Bool)) -> Entry {
            var info = stat()
            guard item.valid, fstatat(fd, item.name, &info, 0) == 0 else {
                var entry = Entry(name: item.name, kind: .broken, identity: nil, size: 0, modified: 0, isSymbolicLink: item.isLink)
                entry.nameIsUTF8 = item.valid
                return entry
            }
            let kind: Entry.Kind
            switch info.st_mode & S_IFMT {
            case S_IFREG: kind = .file
            case S_IFDIR: kind = .directory
            default: kind = .other
            }
            return Entry(
                name: item.name, kind: kind,
                identity: FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)),
                size: Int(info.st_size),
                modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                isSymbolicLink: item.isLink
            )
        }
        let entries: [Entry]
        if names.count < 2048 {
            entries = names.map(entry)
        } else {
            let chunks = 8
            entries = Parallel.map(chunks) { c in
                names[(names.count * c / chunks)..<(names.count * (c + 1) / chunks)].map(entry)
            }.flatMap { $0 }
        }
        return entries.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The path with every symbolic link resolved (`realpath`), or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Identity of a file or folder (links followed), or `nil` when it does not exist.
    public static func identity(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Size in bytes and modification time (nanoseconds since 1970) of a regular file, links
    /// followed; `nil` when it is missing or not a regular file.
    public static func status(_ path: String) -> (size: Int, modified: Int64)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (Int(info.st_size), Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }

    /// Whether a path exists and is a regular file (links followed).
    public static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether a path exists and is a directory (links followed).
    /// When the file was last modified (seconds since 1970), or nil when it is not there.
    public static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Copies a file atomically (read whole, write beside the target, rename).
    public static func copy(_ source: String, to target: String) throws(ImageIOError) {
        try writeAtomically(try read(source), to: target)
    }

    /// Creates a directory and its parents (like `mkdir -p`).
    public static func createDirectory(_ path: String) throws(ImageIOError) {
        // The common case, a folder that is there already, in one call.
        if isDirectory(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o777) != 0 && errno != EEXIST {
                throw systemError(.writeFailed, current, "cannot create directory")
            }
        }
    }

    /// `path` made absolute against the current directory (lexically: `.` and `x/..` removed,
    /// links not resolved). An absolute path is only cleaned.
    public static func absolute(_ path: String) -> String {
        var base = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let cwd = getcwd(&buffer, buffer.count) != nil ? String(cString: buffer.map { UInt8(bitPattern: $0) }) : "/"
            base = "\(cwd)/\(path)"
        }
        var parts: [Substring] = []
        for component in base.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(component)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The folder part of a path (`"."` when it has none).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path.
    public static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The extension of a path's last component (`png` for `a/b.png`), empty when it has none.
    public static func pathExtension(of path: String) -> String {
        let parts = lastComponent(of: path).split(separator: ".")
        return parts.count > 1 ? String(parts.last!) : ""
    }

    private static func open(_ path: String) throws(ImageIOError) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw systemError(.unreadable, path, "cannot open") }
        return fd
    }

    private static func readFully(_ fd: Int32, into bytes: inout [UInt8], count: Int, path: String) throws(ImageIOError) -> Int {
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError(.unreadable, path, "cannot read")
            }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// The one place a C `errno` becomes an error.
    static func systemError(_ code: ImageIOError.Code, _ path: String, _ what: String) -> ImageIOError {
        ImageIOError(code, path: path, "\(what): \(String(cString: strerror(errno)))")
    }
}
