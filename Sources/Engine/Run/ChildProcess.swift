internal import Foundation
internal import Glibc

/// The few process calls the supervisor needs, in one place.
enum ChildProcess {
    /// Starts `argv[0]` with `argv`, `environment` added to ours; stdout to a pipe (returned), stderr
    /// appended to `stderrPath`. With `detached`, the child gets its own session and no pipes; with
    /// `searchPath`, a bare command name is looked up on PATH.
    static func spawn(
        _ argv: [String], environment: [String: String] = [:], stderrPath: String?, detached: Bool = false, searchPath: Bool = false
    ) throws(EngineError) -> (pid: pid_t, stdout: Int32?) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var pipeFDs: [Int32] = [-1, -1]
        if detached {
            // POSIX_SPAWN_SETSID (0x80 in glibc's spawn.h) is behind _GNU_SOURCE and not imported.
            posix_spawnattr_setflags(&attributes, 0x80)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        } else {
            guard pipe(&pipeFDs) == 0 else { throw EngineError(.commitFailed, "cannot create a pipe: \(String(cString: strerror(errno)))") }
            posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
            posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        // Nothing else of ours leaks into the child: a detached supervisor holding a copy of the
        // caller's stdout pipe would keep `synthstudio jobs start | …` waiting until the queue ends.
        for fd in openDescriptors() where fd > 2 && fd != pipeFDs[0] && fd != pipeFDs[1] {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var env: [String: String] = [:]
        var e = environ
        while let entry = e.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { env[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            e += 1
        }
        for (k, v) in environment { env[k] = v }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        // A command named without a folder (`sh`, `python3`) is looked up on PATH, as a shell would.
        let status =
            searchPath && !argv[0].contains("/")
            ? posix_spawnp(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
            : posix_spawn(&pid, argv[0], &actions, &attributes, &cArgs, &cEnv)
        if !detached { close(pipeFDs[1]) }
        guard status == 0 else {
            if !detached { close(pipeFDs[0]) }
            throw EngineError(.commitFailed, "cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        if detached { detachedChildren.insert(pid) }
        return (pid, detached ? nil : pipeFDs[0])
    }

    /// Detached children (supervisors) nobody waits for: reaped by `reapDetached`, or they would
    /// stay zombies for as long as this process (the studio) runs.
    private static let detachedChildren = PIDSet()

    /// Collects the exit status of every detached child that has ended. Cheap: one `waitpid`
    /// with `WNOHANG` per child still listed.
    static func reapDetached() {
        for pid in detachedChildren.all {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { detachedChildren.remove(pid) }
        }
    }

    /// The file descriptors open in this process (from /proc/self/fd).
    static func openDescriptors() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var fds: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if let fd = Int32(name), fd != own { fds.append(fd) }
        }
        return fds
    }

    /// Waits for a child; its exit status, or 128 + signal when a signal ended it. `watch`, when
    /// given, is marked ended under its lock as the child is reaped (before its pid can be reused).
    static func wait(_ pid: pid_t, marking watch: Watch? = nil) -> Int32 {
        var status: Int32 = 0
        if let watch {
            // Wait for the end without reaping (the pid stays ours), then reap under the lock.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            watch.reap { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        } else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Whether a child of ours has been reaped, so a delayed signal never reaches a reused pid.
    final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var ended = false

        func reap(_ body: () -> Void) {
            lock.withLock {
                body()
                ended = true
            }
        }

        /// Runs `body` only while the child has not been reaped.
        func ifRunning(_ body: () -> Void) { lock.withLock { if !ended { body() } } }
    }

    /// SIGTERM to our child now; SIGKILL after `grace` seconds unless it has been reaped by then.
    static func terminateLater(_ pid: pid_t, grace: Double, unlessEnded watch: Watch) {
        kill(pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { watch.ifRunning { kill(pid, SIGKILL) } }
    }

    /// Whether a process exists (it may be a zombie not yet waited for).
    static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    /// SIGTERM, up to `grace` seconds for it to end, then SIGKILL.
    static func terminate(_ pid: pid_t, grace: Double) {
        guard kill(pid, SIGTERM) == 0 else { return }
        var waited = 0.0
        while waited < grace {
            if !isAlive(pid) { return }
            usleep(50_000)
            waited += 0.05
        }
        kill(pid, SIGKILL)
    }

    /// Reads lines from a file descriptor until end of file, calling `body` for each.
    static func lines(_ fd: Int32, _ body: (String) -> Void) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer += chunk[0..<n]
            while let newline = buffer.firstIndex(of: 0x0A) {
                body(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
        }
        if !buffer.isEmpty { body(String(decoding: buffer, as: UTF8.self)) }
        close(fd)
    }
}

/// Process ids, shared between threads.
private final class PIDSet: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: Set<pid_t> = []

    func insert(_ pid: pid_t) { lock.withLock { _ = pids.insert(pid) } }
    func remove(_ pid: pid_t) { lock.withLock { _ = pids.remove(pid) } }
    var all: [pid_t] { lock.withLock { Array(pids) } }
}
