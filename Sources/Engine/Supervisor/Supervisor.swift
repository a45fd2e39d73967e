internal import Catalog
public import Datasets
internal import Foundation
internal import Glibc
internal import ImageIO
internal import StudioCore

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

    /// Whether a supervisor process holds the workspace's lock. Also collects the exit status of
    /// supervisors this process started that have ended since (no zombies while the studio runs).
    public static func isRunning(workspace root: String) -> Bool {
        ChildProcess.reapDetached()
        return FileLock.isHeld(lockPath(root))
    }

    /// Starts a detached supervisor for the workspace unless one is running; returns its pid.
    @discardableResult
    public static func ensureRunning(workspace root: String, executable: String, limit: Int) throws(EngineError) -> Int32? {
        guard !isRunning(workspace: root) else { return nil }
        return try ChildProcess.spawn(
            [executable, "jobs", "supervise", "--workspace", root, "--max-jobs", String(limit)],
            stderrPath: "\(root)/.studio/supervisor.log", detached: true
        ).pid
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

    /// The runner of a queued job: its worker in a child process, its units committed into
    /// `synthetic/<dataset>` with the catalog kept up to date (the workspace read again now: the
    /// job may have added its dataset to `studio.yaml` after this supervisor started).
    static func runner(for id: String, store: JobStore, workspace root: String, executable: String) throws(EngineError) -> JobRunner {
        let spec = try store.spec(id)
        var target: JobRunner.Target?
        if let dataset = spec.dataset {
            let workspace: Workspace
            do { workspace = try Workspace.load(root) } catch { throw EngineError(.invalidSpec, error.description) }
            let folder = workspace.datasets.first { $0.name == dataset }.map { workspace.path(of: $0) } ?? "\(root)/synthetic/\(dataset)"
            target = JobRunner.Target(
                root: folder, catalog: DatasetCommitter.CatalogBinding(catalog: store.catalog, workspace: workspace, dataset: dataset))
        }
        let runner = JobRunner(
            spec: spec, staging: "\(store.folder(id))/staging", target: target, store: store, launch: .childProcess(executable: executable))
        runner.rejected = "\(store.folder(id))/rejected"
        return runner
    }

    /// Holds the lock and runs the queue until it is empty; returns false if another supervisor
    /// already holds the lock.
    public func run() throws(EngineError) -> Bool {
        guard let lock = try? FileLock.acquire(Self.lockPath(workspace.root), wait: false) else { return false }
        defer { withExtendedLifetime(lock) {} }
        try Self.reap(store)
        let group = DispatchGroup()
        let state = RunningSet()
        while true {
            let queued = try store.queued()
            let startable = queued.filter { job in !state.contains(dataset: job.dataset) }
            if queued.isEmpty && state.isEmpty { break }
            if let job = startable.first, state.count < limit {
                state.insert(job.id, dataset: job.dataset)
                let (store, root, executable) = (store, workspace.root, executable)
                group.enter()
                Thread.detachNewThread {
                    do {
                        try Self.runner(for: job.id, store: store, workspace: root, executable: executable).run()
                    } catch let error as EngineError {
                        // Said three ways, so a full disk that refuses the first two still leaves a trace.
                        Console.error("synthstudio supervisor: job \(job.id) failed: \(error.message)\n")
                        try? store.record(job.id, .failed(error.message))
                        try? store.update(job.id, state: .failed, pid: .some(nil))
                    } catch {
                        Console.error("synthstudio supervisor: job \(job.id) failed: \(error)\n")
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
