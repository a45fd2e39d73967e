internal import Catalog
public import Datasets
internal import Foundation
internal import Glibc

/// Runs a workspace's queued jobs, at most `limit` at once and never two on the same dataset, in a
/// process of its own (one per workspace, held by a lock on `.studio/supervisor.lock`), until
/// the queue is empty. Jobs whose worker died with nobody watching are marked interrupted.
public struct Supervisor: Sendable {
    public let store: JobStore
    public let workspace: Workspace
    public let executable: String
    public var limit: Int = 1

    public init(store: JobStore, workspace: Workspace, executable: String, limit: Int = 1) {
        self.store = store
        self.workspace = workspace
        self.executable = executable
        self.limit = max(1, limit)
    }

    static func lockPath(_ root: String) -> String { "\(root)/.studio/supervisor.lock" }

    /// Whether a supervisor process holds the workspace's lock.
    public static func isRunning(workspace root: String) -> Bool {
        let fd = open(lockPath(root), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    /// Starts a detached supervisor for the workspace unless one is running.
    public static func ensureRunning(workspace root: String, executable: String, limit: Int) throws(EngineError) {
        guard !isRunning(workspace: root) else { return }
        _ = try ChildProcess.spawn(
            [executable, "jobs", "supervise", "--workspace", root, "--max-jobs", String(limit)],
            stderrPath: "\(root)/.studio/supervisor.log", detached: true)
    }

    /// Stops a worker: SIGTERM, `grace` seconds, then SIGKILL.
    public static func terminateWorker(_ pid: Int32, grace: Double) { ChildProcess.terminate(pid, grace: grace) }

    /// Marks running jobs whose worker is gone as interrupted (call when no supervisor runs).
    public static func reap(_ store: JobStore) throws(EngineError) {
        for job in try store.all() where job.state == .running {
            if job.pid.map({ !ChildProcess.isAlive($0) }) ?? true {
                try store.update(job.id, state: .interrupted, pid: .some(nil))
            }
        }
    }

    /// Holds the lock and runs the queue until it is empty; returns false if another supervisor
    /// already holds the lock.
    public func run() throws(EngineError) -> Bool {
        let fd = open(Self.lockPath(workspace.root), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if fd >= 0 { close(fd) }
            return false
        }
        defer {
            flock(fd, LOCK_UN)
            close(fd)
        }
        try Self.reap(store)
        let group = DispatchGroup()
        let state = RunningSet()
        while true {
            let queued = try store.queued()
            let startable = queued.filter { job in !state.contains(dataset: job.dataset) }
            if queued.isEmpty && state.isEmpty { break }
            if let job = startable.first, state.count < limit {
                state.insert(job.id, dataset: job.dataset)
                let runner = JobRunner(store: store, workspace: workspace, executable: executable)
                group.enter()
                Thread.detachNewThread {
                    do { try runner.run(job.id) } catch let error as EngineError {
                        try? store.record(job.id, .failed(error.message))
                        try? store.update(job.id, state: .failed, pid: .some(nil))
                    } catch {
                        try? store.record(job.id, .failed("\(error)"))
                        try? store.update(job.id, state: .failed, pid: .some(nil))
                    }
                    state.remove(job.id)
                    group.leave()
                }
                continue
            }
            usleep(100_000)
        }
        group.wait()
        return true
    }
}

/// Jobs this supervisor is running, by id and dataset.
private final class RunningSet: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [String: String?] = [:]

    func insert(_ id: String, dataset: String?) { lock.withLock { jobs[id] = dataset } }
    func remove(_ id: String) { lock.withLock { _ = jobs.removeValue(forKey: id) } }
    func contains(dataset: String?) -> Bool { lock.withLock { dataset != nil && jobs.values.contains(dataset) } }
    var count: Int { lock.withLock { jobs.count } }
    var isEmpty: Bool { lock.withLock { jobs.isEmpty } }
}
