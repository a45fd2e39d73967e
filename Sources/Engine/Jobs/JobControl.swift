internal import Catalog
public import Datasets
internal import Foundation
internal import StudioCore

/// Queueing, cancelling and resuming jobs on a workspace: what `synthstudio jobs` and the TUI do
/// the same way.
public struct JobControl: Sendable {
    public let store: JobStore
    /// This executable, started as the supervisor and the workers.
    public let executable: String

    public init(store: JobStore, executable: String) {
        self.store = store
        self.executable = executable
    }

    /// What to queue. Path parameters (`run`, `data`, …) may be workspace dataset names or paths
    /// relative to the workspace; they are made absolute, since the worker may run anywhere.
    public struct Request: Sendable {
        public var kind: JobSpec.Kind
        public var dataset: String?
        public var count: Int
        public var seed: UInt64
        public var parameters: [String: String]
        /// Absolute, or relative to the current directory.
        public var recipe: String?
        public var command: [String]?
        public var shard: JobSpec.Shard

        public init(
            kind: JobSpec.Kind, dataset: String?, count: Int, seed: UInt64, parameters: [String: String] = [:], recipe: String? = nil,
            command: [String]? = nil, shard: JobSpec.Shard = .whole
        ) {
            self.kind = kind
            self.dataset = dataset
            self.count = count
            self.seed = seed
            self.parameters = parameters
            self.recipe = recipe
            self.command = command
            self.shard = shard
        }
    }

    /// Queues `request`, adding its dataset to `studio.yaml` when new, and makes sure the
    /// workspace's supervisor runs. Returns the job id and the workspace as now on disk.
    public func queue(_ request: Request, in workspace: Workspace, limit: Int = 1) throws(EngineError) -> (id: String, workspace: Workspace)
    {
        var ws = workspace
        var parameters = request.parameters
        for key in request.kind.pathParameters {
            guard let value = parameters[key] else {
                throw EngineError(
                    .invalidSpec,
                    "a \(request.kind.rawValue) job needs --set \(key)=… (one of: \(request.kind.pathParameters.joined(separator: ", ")))")
            }
            if let entry = ws.datasets.first(where: { $0.name == value }) {
                parameters[key] = ws.path(of: entry)
            } else {
                parameters[key] = value.hasPrefix("/") ? value : URL(fileURLWithPath: "\(ws.root)/\(value)").standardizedFileURL.path
            }
        }
        if let name = request.dataset {
            if let entry = ws.datasets.first(where: { $0.name == name }) {
                guard entry.origin == .synthetic else {
                    throw EngineError(.invalidSpec, "dataset \(name.terminalSafe) is real; jobs only ever write into synthetic datasets")
                }
            } else if request.kind.writesDataset {
                do {
                    ws = try ws.adding(name: name, path: "synthetic/\(name)", origin: .synthetic, format: request.kind.datasetFormat)
                } catch {
                    throw EngineError(.invalidSpec, error.description)
                }
            }
        }
        let recipe = request.recipe.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        if let recipe, !FileManager.default.fileExists(atPath: recipe) {
            throw EngineError(.invalidSpec, "no recipe at \(recipe.terminalSafe)")
        }
        let id = Self.newID()
        let spec = try JobSpec(
            id: id, kind: request.kind, dataset: request.dataset, count: request.count, seed: request.seed, parameters: parameters,
            recipe: recipe, command: request.command, shard: request.shard)
        try store.add(spec)
        try Supervisor.ensureRunning(workspace: ws.root, executable: executable, limit: limit)
        return (id, ws)
    }

    /// Stops a job: marks it cancelled, then SIGTERM to its worker, `grace` seconds, SIGKILL.
    /// Finished units stay. False when the job had already ended.
    @discardableResult
    public func cancel(_ id: String, grace: Double = 5) throws(EngineError) -> Bool {
        guard let job = try store.job(id) else { throw EngineError(.invalidSpec, "no job \(id.terminalSafe)") }
        guard !job.state.isFinal else { return false }
        try store.update(id, state: .cancelled)
        if let pid = job.pid { Supervisor.terminateWorker(pid, grace: grace) }
        return true
    }

    /// Queues a cancelled, failed or interrupted job again; it continues where it stopped.
    public func resume(_ id: String, workspace root: String) throws(EngineError) {
        if !Supervisor.isRunning(workspace: root) { try Supervisor.reap(store) }
        guard let job = try store.job(id) else { throw EngineError(.invalidSpec, "no job \(id.terminalSafe)") }
        guard job.state != .succeeded, job.state != .running, job.state != .queued else {
            throw EngineError(.invalidSpec, "\(id) is \(job.state.rawValue); only cancelled, failed or interrupted jobs resume")
        }
        try store.update(id, state: .queued)
        try Supervisor.ensureRunning(workspace: root, executable: executable, limit: 1)
    }

    /// A job's events (the newest `events`, or all) and the tail of its worker's stderr, escaped
    /// for the terminal.
    public func log(_ id: String, events limit: Int? = nil, stderrLines: Int = 40) throws(EngineError) -> [String] {
        let events: [String]
        do {
            events = try store.catalog.jobEvents(id, last: limit).map { $0.body.terminalSafe }
        } catch {
            throw EngineError(.invalidSpec, "\(error)")
        }
        var lines = events
        if let stderr = try? String(contentsOfFile: "\(store.folder(id))/stderr.log", encoding: .utf8), !stderr.isEmpty {
            lines.append("--- stderr")
            lines += stderr.split(separator: "\n").suffix(stderrLines).map { String($0).terminalSafe }
        }
        return lines
    }

    /// Sortable and unique: time, then random bits.
    static func newID() -> String {
        let time = Int(Date().timeIntervalSince1970 * 1000)
        return "j\(String(time, radix: 36))-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }
}
