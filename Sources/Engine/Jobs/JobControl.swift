internal import Catalog
public import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Queueing, cancelling and resuming jobs on a workspace: what `synthstudio jobs`, `fill` and the
/// studio do the same way.
public struct JobControl: Sendable {
    public let store: JobStore
    /// This executable, started as the supervisor and the workers.
    public let executable: String

    public init(store: JobStore, executable: String) {
        self.store = store
        self.executable = executable
    }

    /// Opens a workspace for its jobs: the workspace file, the catalog, and the jobs the catalog
    /// lacks restored from `.studio/jobs` (a catalog rebuilt after damage, or deleted, loses none).
    /// `recovery` says what happened when the catalog had to be rebuilt.
    public static func open(workspace root: String) throws(EngineError) -> (workspace: Workspace, store: JobStore, recovery: String?) {
        let workspace: Workspace
        let catalog: Catalog
        do {
            workspace = try Workspace.load(root)
            catalog = try Catalog.open(workspace: workspace.root)
        } catch let error as DatasetsError {
            throw EngineError(.invalidSpec, error.description)
        } catch let error as CatalogError {
            throw EngineError(.commitFailed, error.description)
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
        let store = JobStore(catalog: catalog, root: workspace.root)
        let (restored, unreadable) = (try? store.restoreFromFolders()) ?? (0, [])
        var notes: [String] = catalog.recovery.map { ["\($0); \(restored) job(s) restored from .studio/jobs"] } ?? []
        notes += unreadable.map { "a job cannot be restored: \($0)" }
        return (workspace, store, notes.isEmpty ? nil : notes.joined(separator: "\n"))
    }

    /// A new job id: sortable and unique (time in milliseconds, then random bits).
    public static func newID() -> String {
        let time = Int(Date().timeIntervalSince1970 * 1000)
        return "j\(String(time, radix: 36))-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    /// A seed no earlier job of the workspace used: two fills in the same second never draw the
    /// same images.
    public func freshSeed() -> UInt64 {
        let used = Set(((try? store.all()) ?? []).compactMap { try? store.spec($0.id).seed })
        var seed = UInt64(Date().timeIntervalSince1970)
        while used.contains(seed) { seed &+= 1 }
        return seed
    }

    /// Queues `spec`, adding its dataset to `studio.yaml` when new (as a synthetic dataset in
    /// `synthetic/<name>`), and makes sure the workspace's supervisor runs. Returns the workspace
    /// as now on disk.
    @discardableResult
    public func queue(_ spec: JobSpec, in workspace: Workspace, limit: Int = 1) throws(EngineError) -> Workspace {
        var ws = workspace
        if let name = spec.dataset {
            if let entry = ws.datasets.first(where: { $0.name == name }) {
                guard entry.origin == .synthetic else {
                    throw EngineError(.notSynthetic, "dataset \(name.terminalSafe) is real; jobs only ever write into synthetic datasets")
                }
            } else {
                do {
                    ws = try ws.adding(name: name, path: "synthetic/\(name)", origin: .synthetic, format: spec.kind.datasetFormat)
                } catch {
                    throw EngineError(.invalidSpec, error.description)
                }
            }
        }
        try store.add(spec)
        try Supervisor.ensureRunning(workspace: ws.root, executable: executable, limit: limit)
        return ws
    }

    /// Stops a job: marks it cancelled (its runner commits nothing more), then SIGTERM to its
    /// worker, `grace` seconds, SIGKILL; returns once the runner has let go of the job (or after
    /// `grace` more seconds). Finished units stay; staged ones are committed on resume. False when
    /// the job had already ended.
    @discardableResult
    public func cancel(_ id: String, grace: Double = 5) throws(EngineError) -> Bool {
        guard let job = try store.job(id) else { throw EngineError(.invalidSpec, "no job \(id.terminalSafe)") }
        guard !job.state.isFinal else { return false }
        try store.update(id, state: .cancelled)
        guard let pid = job.pid else { return true }
        Supervisor.terminateWorker(pid, grace: grace)
        // The runner clears the pid when it has finished with the job.
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline, (try? store.job(id))??.pid != nil { usleep(20_000) }
        return true
    }

    /// The jobs as they stand, newest first. With no supervisor running, a job still marked
    /// running whose worker is gone is shown as interrupted — and recorded so when the disk
    /// allows (a read-only command keeps working on a full disk).
    public func jobs() throws(EngineError) -> [JobRecord] {
        // Newest first, as `jobs list` and the studio's Jobs screen both show them.
        var records = try store.all().sorted { ($0.created, $0.id) > ($1.created, $1.id) }
        guard !Supervisor.isRunning(workspace: store.root) else { return records }
        for i in records.indices where records[i].state == .running && records[i].pid.map({ !ChildProcess.isAlive($0) }) ?? true {
            records[i].state = .interrupted
            records[i].pid = nil
            try? store.update(records[i].id, state: .interrupted, pid: .some(nil))
        }
        return records
    }

    /// One job as it stands (see `jobs()`).
    public func job(_ id: String) throws(EngineError) -> JobRecord? {
        guard var record = try store.job(id) else { return nil }
        if record.state == .running, !Supervisor.isRunning(workspace: store.root), record.pid.map({ !ChildProcess.isAlive($0) }) ?? true {
            record.state = .interrupted
            record.pid = nil
            try? store.update(id, state: .interrupted, pid: .some(nil))
        }
        return record
    }

    /// Queues a cancelled, failed or interrupted job again; it continues where it stopped.
    public func resume(_ id: String, workspace root: String) throws(EngineError) {
        guard let job = try job(id) else { throw EngineError(.invalidSpec, "no job \(id.terminalSafe)") }
        guard job.state != .succeeded, job.state != .running, job.state != .queued else {
            throw EngineError(.invalidSpec, "\(id) is \(job.state.rawValue); only cancelled, failed or interrupted jobs resume")
        }
        try store.update(id, state: .queued)
        try Supervisor.ensureRunning(workspace: root, executable: executable, limit: 1)
    }

    /// A job's events (the newest `events`, or all) and the tail of its worker's stderr, escaped
    /// for the terminal. Read from the job's folder, the record (on a full disk the catalog may
    /// have refused the last events; the folder's append-only file took them).
    public func log(_ id: String, events limit: Int? = nil, stderrLines: Int = 40) throws(EngineError) -> [String] {
        guard FileManager.default.fileExists(atPath: "\(store.folder(id))/spec.json") else {
            throw EngineError(.invalidSpec, "no job \(id.terminalSafe)")
        }
        let recorded = ((try? String(contentsOfFile: "\(store.folder(id))/events.ndjson", encoding: .utf8)) ?? "").split(separator: "\n")
        var lines = recorded.suffix(limit ?? recorded.count).map { String($0).terminalSafe }
        if let stderr = try? String(contentsOfFile: "\(store.folder(id))/stderr.log", encoding: .utf8), !stderr.isEmpty {
            lines.append("--- stderr")
            lines += stderr.split(separator: "\n").suffix(stderrLines).map { String($0).terminalSafe }
        }
        return lines
    }
}
