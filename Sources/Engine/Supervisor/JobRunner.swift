internal import Catalog
public import Datasets
internal import Foundation
internal import Glibc

/// Runs one job to its end: starts its worker (`synthstudio worker`), reads the event stream,
/// commits finished units into the target dataset in batches, keeps the catalog up to date, and
/// records how it ended. Units the worker finished before a kill are committed first on resume.
public struct JobRunner: Sendable {
    public let store: JobStore
    public let workspace: Workspace
    /// The worker command before its arguments (the `synthstudio` executable).
    public let executable: String
    /// Commit at least this often while units arrive (seconds).
    public var commitInterval: Double = 1

    public init(store: JobStore, workspace: Workspace, executable: String) {
        self.store = store
        self.workspace = workspace
        self.executable = executable
    }

    /// Where a job's dataset lives: `synthetic/<name>` in the workspace.
    public static func datasetFolder(_ name: String, workspace root: String) -> String { "\(root)/synthetic/\(name)" }

    /// Runs the job; returns the state it ended in.
    @discardableResult
    public func run(_ id: String) throws(EngineError) -> JobState {
        let spec = try store.spec(id)
        let folder = store.folder(id)
        let staging = "\(folder)/staging"
        try? FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let committer = spec.dataset.map {
            DatasetCommitter(root: Self.datasetFolder($0, workspace: workspace.root), layout: spec.kind.commitLayout)
        }
        var committed = readCommitted(folder)

        // Units finished before an interruption are kept; half-written ones are dropped.
        if let committer {
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).sorted()
            var complete: [String] = []
            for name in leftovers {
                if FileManager.default.fileExists(atPath: "\(staging)/\(name)/unit.json") {
                    complete.append("\(staging)/\(name)")
                } else {
                    try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
                }
            }
            committed.formUnion(try commit(complete, with: committer, folder: folder, dataset: spec.dataset ?? ""))
        }
        try writeDone(committed, folder: folder)
        try store.update(id, state: .running, done: committed.count, total: spec.count)

        let argv = [executable, "worker", "--spec", "\(folder)/spec.json", "--staging", staging, "--done", "\(folder)/done.txt"]
        let child = try ChildProcess.spawn(argv, stderrPath: "\(folder)/stderr.log")
        try store.update(id, pid: .some(child.pid))

        var pending: [String] = []
        var lastCommit = Date()
        var finished = false
        var failure: String?
        ChildProcess.lines(child.stdout!) { line in
            guard failure == nil else { return }
            do throws(EngineError) {
                let event = try JobEvent.parse(line)
                try store.record(id, event)
                switch event {
                case .started(let total): try store.update(id, total: total)
                case .progress: break
                case .artifact(_, let unit):
                    pending.append("\(staging)/\(unit)")
                    if let committer, Date().timeIntervalSince(lastCommit) >= commitInterval {
                        committed.formUnion(try commit(pending, with: committer, folder: folder, dataset: spec.dataset ?? ""))
                        pending.removeAll()
                        lastCommit = Date()
                        try store.update(id, done: committed.count)
                    }
                case .log: break
                case .finished: finished = true
                case .failed(let message): failure = message
                }
            } catch {
                failure = error.message
                ChildProcess.terminate(child.pid, grace: 2)
            }
        }
        let status = ChildProcess.wait(child.pid)
        if let committer, !pending.isEmpty {
            do throws(EngineError) {
                committed.formUnion(try commit(pending, with: committer, folder: folder, dataset: spec.dataset ?? ""))
            } catch {
                failure = failure ?? error.message
            }
        }
        // Cancel sets the state itself; a cancelled job stays cancelled.
        let current = try store.job(id)?.state
        let final: JobState
        if current == .cancelled {
            final = .cancelled
        } else if finished && status == 0 && failure == nil {
            final = .succeeded
        } else {
            final = .failed
            let message = failure ?? "the worker exited with status \(status) without finishing"
            try? store.record(id, .failed("\(message)\(stderrTail(folder))"))
        }
        try store.update(id, state: final, done: committed.count, pid: .some(nil), exitStatus: status)
        return final
    }

    /// Commits units, records their indices in `committed.txt`, refreshes the catalog.
    private func commit(
        _ units: [String], with committer: DatasetCommitter, folder: String, dataset: String
    ) throws(EngineError) -> Set<Int> {
        guard !units.isEmpty else { return [] }
        let indices = try committer.commit(units: units)
        if let handle = FileHandle(forWritingAtPath: "\(folder)/committed.txt") ?? create("\(folder)/committed.txt") {
            handle.seekToEndOfFile()
            handle.write(Data(indices.map { "\($0)\n" }.joined().utf8))
            try? handle.close()
        }
        // Another dataset of the workspace being unreadable is not this job's failure; its own
        // dataset being unreadable after the commit is.
        let report: RefreshReport
        do {
            report = try store.catalog.refresh(workspace)
        } catch {
            throw EngineError(.commitFailed, "catalog refresh after commit: \(error.message)")
        }
        if let own = report.entries.first(where: { $0.dataset == dataset && $0.action == .failed }) {
            throw EngineError(.commitFailed, "catalog refresh after commit: dataset \(dataset): \(own.problem ?? "unreadable")")
        }
        return Set(indices)
    }

    private func create(_ path: String) -> FileHandle? {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }

    private func readCommitted(_ folder: String) -> Set<Int> {
        guard let text = try? String(contentsOfFile: "\(folder)/committed.txt", encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { Int($0) })
    }

    /// `done.txt`: the indices the worker must skip (already in the dataset).
    private func writeDone(_ committed: Set<Int>, folder: String) throws(EngineError) {
        do {
            try Data(committed.sorted().map { "\($0)\n" }.joined().utf8).write(
                to: URL(fileURLWithPath: "\(folder)/done.txt"), options: .atomic)
        } catch {
            throw EngineError(.commitFailed, "cannot write \(folder)/done.txt: \(error)")
        }
    }

    /// The last lines of the worker's stderr, for failure messages.
    private func stderrTail(_ folder: String) -> String {
        guard let text = try? String(contentsOfFile: "\(folder)/stderr.log", encoding: .utf8), !text.isEmpty else { return "" }
        let lines = text.split(separator: "\n").suffix(5)
        return "; stderr: " + lines.joined(separator: " | ")
    }
}
