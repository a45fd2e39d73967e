internal import Glibc

/// A whole file in memory whose pages can be handed back to the system once they have been
/// read: a streamed parse of a 126 MB COCO file keeps only the part it has not reached yet, so
/// the process's peak is the model it builds, not the model plus the file.
///
/// The bytes live in anonymous memory (not a mapping of the file: a file truncated under a
/// mapping would kill the process with SIGBUS). Released pages read back as zeros; callers
/// release only what they will not look at again.
public final class ConsumableFile {
    public let path: String
    public let count: Int
    private let base: UnsafeMutableRawPointer?
    private let mapped: Int
    private var released = 0

    /// Reads the whole file, refusing one larger than `limit` bytes before allocating.
    public init(_ path: String, limit: Int = 1 << 31) throws(ImageIOError) {
        self.path = path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.systemError(.unreadable, path, "cannot open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileIO.systemError(.unreadable, path, "cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ImageIOError(.unreadable, path: path, "not a regular file") }
        let size = Int(info.st_size)
        guard size <= limit else { throw ImageIOError(.tooLarge, path: path, "file of \(size) bytes exceeds the limit of \(limit) bytes") }
        guard size > 0 else {
            (base, mapped, count) = (nil, 0, 0)
            return
        }
        let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let memory, memory != MAP_FAILED else { throw FileIO.systemError(.unreadable, path, "cannot allocate \(size) bytes") }
        var got = 0
        while got < size {
            let n = Glibc.read(fd, memory + got, size - got)
            if n < 0 {
                if errno == EINTR { continue }
                let error = FileIO.systemError(.unreadable, path, "cannot read")
                munmap(memory, size)
                throw error
            }
            if n == 0 { break }
            got += n
        }
        (base, mapped, count) = (memory, size, got)
    }

    deinit {
        if let base { munmap(base, mapped) }
    }

    /// Runs `body` over the bytes (valid only inside it).
    public func withBytes<T, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> T) throws(E) -> T {
        guard let base else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Gives back the whole pages before `offset` (they read as zeros afterwards).
    public func release(upTo offset: Int) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        guard end > released else { return }
        madvise(base + released, end - released, Int32(MADV_DONTNEED))
        released = end
    }
}
