internal import Catalog
internal import Datasets
internal import Foundation
internal import Glibc
internal import ImageIO
internal import StudioCore

/// Runs one job to its end, the same way whoever started it: a workspace's supervisor (the worker
/// in a child process, the job recorded in the catalog and its folder) or `synthstudio render` /
/// `gan sample` (the work in this process, into a folder). It commits the worker's units into the
/// target dataset as they arrive, counts them toward the job's goal and stops the worker once the
/// goal's cell is full, stops committing the moment the job is cancelled, and records how it
/// ended. Units staged before an interruption are committed first on resume.
public final class JobRunner {
    /// Where the work runs.
    public enum Launch: Sendable {
        /// In this process, on the calling thread (`JobWork`).
        case inProcess
        /// `EXECUTABLE worker --spec … --staging … --done …` in a child process (external jobs run
        /// their own command), its events read from its stdout.
        case childProcess(executable: String)
    }

    /// Where the units land.
    public struct Target {
        /// The dataset folder.
        public let root: String
        /// The workspace catalog entry kept up to date, when the dataset is a workspace's.
        public let catalog: DatasetCommitter.CatalogBinding?

        public init(root: String, catalog: DatasetCommitter.CatalogBinding? = nil) {
            self.root = root
            self.catalog = catalog
        }
    }

    public let spec: JobSpec
    /// Staged units (one folder each) and the worker's `done.txt` live here.
    public let staging: String
    public let target: Target?
    /// The job's record (state, progress, events, cancel); nil for work outside a workspace.
    public let store: JobStore?
    public let launch: Launch
    /// Commit at most this often while units arrive (seconds); a goal commits at once.
    public var commitInterval: Double = 0.5
    /// Where units that cannot be committed are set aside (with the reason in the log).
    public var rejected: String
    /// Told the committed units and the total after every commit (the CLI's progress bar).
    public var onProgress: ((_ done: Int, _ total: Int) -> Void)?
    /// Asked between units: a stop from outside (Ctrl-C in `synthstudio render`).
    public var stopRequest: () -> Bool = { false }

    /// Units of this job in the dataset (this run's and earlier ones').
    public var committed: Int { done.count }

    private var committer: DatasetCommitter?
    private var info: UnitInfo?
    private var tally: GoalTally?
    private var done: Set<Int> = []
    private var pending: [String] = []
    private var lastCommit = Date()
    private var lastProgress = Date.distantPast
    private var stopRequested = false
    private var cancelled = false
    private var goalReached = false
    private var worker: Int32?
    private var workerWatch: ChildProcess.Watch?

    public init(spec: JobSpec, staging: String, target: Target?, store: JobStore?, launch: Launch) {
        self.spec = spec
        self.staging = staging
        self.target = target
        self.store = store
        self.launch = launch
        rejected = "\(staging)/.rejected"
    }

    /// What the units of `spec` are called and which classes they carry, known before any is made.
    public static func unitInfo(_ spec: JobSpec) throws(EngineError) -> UnitInfo? {
        switch spec {
        case .render(let s): return try RenderJob(s).info
        case .ganSample(let s): return try GANSampleJob(s).info
        case .external(let s):
            let parameters = s.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
            let key = UnitKey(
                stem: "ext",
                inputs: [.text("external/1"), .text(s.command.joined(separator: "\u{0}")), .text(parameters), .text(String(s.units.seed))])
            return UnitInfo(key: key, classes: s.classes, layout: .coco)
        case .ganTrain, .evaluate: return nil
        }
    }

    /// Runs the job; returns the state it ended in.
    @discardableResult
    public func run() throws(EngineError) -> JobState {
        // (A unit job's folders are made once its inputs are known to be good: a bad run or recipe
        // leaves no empty dataset folder behind.)
        if spec.units == nil || target == nil { try? FileIO.createDirectory(staging) }
        if let units = spec.units, let target {
            try open(units, target)
            if goalReached {
                try finishUnits()
                try store?.record(spec.id, .log("goal \(units.goal!) already met: nothing to make"))
                try store?.update(spec.id, state: .succeeded, done: done.count, total: units.count, pid: .some(nil), exitStatus: 0)
                return .succeeded
            }
        }
        try store?.update(spec.id, state: .running, done: spec.units == nil ? nil : done.count, total: spec.total)
        var finished = false
        var failure: String?
        var status: Int32 = 0
        let handle: (JobEvent) -> Void = { [self] event in
            guard failure == nil else { return }
            do throws(EngineError) {
                // Progress and artifacts are the job's row (done/total) and its dataset; the log
                // keeps what a person reads: the start, messages, the end.
                switch event {
                case .progress, .artifact: break
                default: try self.store?.record(self.spec.id, event)
                }
                switch event {
                case .started: break
                case .progress(let d, let total, _):
                    if spec.units == nil, Date().timeIntervalSince(lastProgress) >= 0.25 || d == total {
                        lastProgress = Date()
                        try store?.update(spec.id, done: d)
                    }
                case .artifact(_, let unit):
                    guard !goalReached, !cancelled else { return }
                    pending.append("\(staging)/\(unit)")
                    // With a goal every unit is committed (and counted) as it arrives.
                    if tally != nil || Date().timeIntervalSince(lastCommit) >= commitInterval { try commitPending() }
                    if goalReached { stopWorker() }
                case .log: break
                case .finished: finished = true
                case .failed(let message): failure = message
                }
            } catch {
                failure = error.message
                stopWorker()
            }
        }
        do throws(EngineError) {
            switch launch {
            case .inProcess:
                let outcome = try JobWork.perform(
                    spec, staging: staging, done: done, emit: handle, shouldStop: { [self] in stopRequested || stopRequest() })
                status = outcome == .finished ? 0 : 130
            case .childProcess(let executable):
                status = try runChild(executable: executable, handle: handle)
            }
        } catch {
            failure = failure ?? error.message
            status = 1
        }
        // Stopped from outside in process (Ctrl-C in `synthstudio render`): what is staged lands.
        let interrupted = store == nil && stopRequest() && failure == nil
        if spec.units != nil, !cancelled, !goalReached, failure == nil {
            do throws(EngineError) { try commitPending() } catch { failure = error.message }
        }
        if spec.units != nil {
            do throws(EngineError) { try finishUnits() } catch { failure = failure ?? error.message }
        }
        let current = try? store?.job(spec.id)?.state
        let final: JobState
        if current == .cancelled || cancelled || interrupted {
            final = .cancelled
        } else if goalReached {
            final = .succeeded
            try? store?.record(
                spec.id,
                .log(
                    "goal reached: \(tally?.goal.row ?? "") × \(tally?.goal.column ?? "") holds \(tally?.count ?? 0) of \(tally?.goal.target ?? 0)"
                ))
        } else if finished && status == 0 && failure == nil {
            final = .succeeded
        } else {
            final = .failed
            let message = failure ?? "the worker exited with status \(status) without finishing"
            guard let store else { throw EngineError(.commitFailed, message) }
            // Said in the log and on the supervisor's stderr: a full disk may refuse one of them.
            Console.error("job \(spec.id) failed: \(message)\n")
            try? store.record(spec.id, .failed("\(message)\(stderrTail())"))
        }
        try store?.update(spec.id, state: final, done: spec.units == nil ? nil : done.count, pid: .some(nil), exitStatus: status)
        return final
    }

    // MARK: Units

    /// Opens the dataset, commits what an interrupted run left staged, works out what is done.
    private func open(_ units: UnitPlan, _ target: Target) throws(EngineError) {
        let info = try Self.unitInfo(spec)!
        self.info = info
        try? FileIO.createDirectory(staging)
        let committer = try DatasetCommitter(root: target.root, layout: info.layout, classes: info.classes, catalog: target.catalog)
        self.committer = committer
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var complete: [String] = []
        for name in leftovers where FileIO.isDirectory("\(staging)/\(name)") {
            if FileIO.isFile("\(staging)/\(name)/\(GeneratedUnit.manifest)") {
                complete.append("\(staging)/\(name)")
            } else {
                try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
            }
        }
        pending = complete
        done = Set(committer.names.compactMap { info.key.index(of: $0) })
        if let goal = units.goal, let binding = target.catalog {
            do {
                tally = try GoalTally(goal, workspace: binding.workspace, catalog: binding.catalog, dataset: units.dataset)
            } catch {
                throw EngineError(.commitFailed, "catalog: \(error.message)")
            }
            if tally == nil { try store?.record(spec.id, .log("the workspace has no coverage view \(goal.view ?? "")")) }
            if let t = tally, !t.counts(holdout: false) {
                try store?.record(spec.id, .log("the view does not count \(units.dataset): the job runs to its count"))
                tally = nil
            }
        }
        // Leftovers are committed first, and count toward the goal like new units.
        goalReached = tally?.reached ?? false
        try commitPending()
        try writeDone()
    }

    /// Commits the staged units waiting, unless the job was cancelled meanwhile (then they stay
    /// staged for a resume).
    private func commitPending() throws(EngineError) {
        guard let committer, let info, !pending.isEmpty else { return }
        if let store, (try? store.job(spec.id)?.state) == .cancelled {
            cancelled = true
            stopWorker()
            return
        }
        let batch = pending
        pending.removeAll()
        let outcome = try committer.commit(batch, naming: info.key, rejectInto: rejected)
        if var t = tally {
            for unit in outcome.added { t.add(unit) }
            tally = t
            goalReached = goalReached || t.reached
        }
        for unit in outcome.rejected {
            try store?.record(spec.id, .log("unit \(unit.unit) set aside in \(rejected): \(unit.reason)"))
            Console.error(
                "synthstudio: unit \(unit.unit.terminalSafe) set aside in \(rejected.terminalSafe): \(unit.reason.terminalSafe)\n")
        }
        done.formUnion(outcome.committed.map(\.index))
        lastCommit = Date()
        try store?.update(spec.id, done: done.count)
        onProgress?(done.count, spec.total)
    }

    /// At the end of a run: staged units past a reached goal removed, the journal folded into the
    /// dataset's files (other tools then see every image), the dataset closed.
    private func finishUnits() throws(EngineError) {
        if goalReached {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? [] where !name.hasPrefix(".") {
                try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
            }
        }
        try committer?.compact()
        committer = nil
    }

    /// `done.txt`: the indices the worker must skip (already in the dataset).
    private func writeDone() throws(EngineError) {
        do {
            try FileIO.writeAtomically(Array(done.sorted().map { "\($0)\n" }.joined().utf8), to: "\(staging)/.done.txt", durable: false)
        } catch {
            throw EngineError(.commitFailed, "cannot write \(staging)/.done.txt: \(error.message)")
        }
    }

    // MARK: Workers

    /// Asks the work to stop: in process, a flag checked between units; a child gets SIGTERM now
    /// and SIGKILL after a grace period if it has not ended — without waiting here, so its last
    /// events are read (and its exit reaped) as it goes.
    private func stopWorker() {
        guard !stopRequested else { return }
        stopRequested = true
        if let worker, let watch = workerWatch { ChildProcess.terminateLater(worker, grace: 2, unlessEnded: watch) }
    }

    private func runChild(executable: String, handle: (JobEvent) -> Void) throws(EngineError) -> Int32 {
        let stderrPath = store.map { "\($0.folder(spec.id))/stderr.log" }
        let child: (pid: pid_t, stdout: Int32?)
        switch spec {
        case .external(let s):
            // The command speaks the protocol itself.
            let environment = [
                "SYNTHSTUDIO_STAGING": staging, "SYNTHSTUDIO_DONE": "\(staging)/.done.txt", "SYNTHSTUDIO_COUNT": String(s.units.count),
                "SYNTHSTUDIO_SEED": String(s.units.seed), "SYNTHSTUDIO_SHARD": s.units.shard.description,
                "SYNTHSTUDIO_DATASET": s.units.dataset, "SYNTHSTUDIO_JOB": s.id,
                "SYNTHSTUDIO_PARAMETERS": JSONValue.object(s.parameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                    .serialized(),
            ]
            child = try ChildProcess.spawn(s.command, environment: environment, stderrPath: stderrPath, searchPath: true)
        default:
            guard let store else { throw EngineError(.invalidSpec, "a child worker needs the job's folder") }
            child = try ChildProcess.spawn(
                [
                    executable, "worker", "--spec", "\(store.folder(spec.id))/spec.json", "--staging", staging, "--done",
                    "\(staging)/.done.txt",
                ],
                stderrPath: stderrPath)
        }
        worker = child.pid
        let watch = ChildProcess.Watch()
        workerWatch = watch
        try store?.update(spec.id, pid: .some(child.pid))
        ChildProcess.lines(child.stdout!) { line in
            do throws(EngineError) { handle(try JobEvent.parse(line)) } catch { handle(.failed(error.message)) }
        }
        let status = ChildProcess.wait(child.pid, marking: watch)
        worker = nil
        workerWatch = nil
        return status
    }

    /// The last lines of the worker's stderr, for failure messages.
    private func stderrTail() -> String {
        guard let store, let text = try? String(contentsOfFile: "\(store.folder(spec.id))/stderr.log", encoding: .utf8), !text.isEmpty
        else { return "" }
        return "; stderr: " + text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }
}
