public import Catalog
internal import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Jobs on disk and in the catalog. The job's folder, `.studio/jobs/<id>/`, is the record —
/// `spec.json`, `state.json` (state, units done, total, exit status; rewritten as they change),
/// `events.ndjson`, `stderr.log`, `staging/`, `rejected/` — and the catalog's `jobs` and
/// `job_events` tables index it, so a catalog rebuilt after damage or deletion gets every job back.
public struct JobStore: Sendable {
    public let catalog: Catalog
    /// The workspace folder.
    public let root: String

    public init(catalog: Catalog, root: String) {
        self.catalog = catalog
        self.root = root
    }

    /// `.studio/jobs/<id>`.
    public func folder(_ id: String) -> String { "\(root)/.studio/jobs/\(id)" }

    /// Records a new job as queued and writes its spec file.
    public func add(_ spec: JobSpec) throws(EngineError) {
        do {
            try FileIO.createDirectory(folder(spec.id))
            try FileIO.writeAtomically(Array(spec.json().utf8), to: "\(folder(spec.id))/spec.json")
        } catch {
            throw EngineError(.commitFailed, "cannot write the job folder \(folder(spec.id)): \(error.message)")
        }
        try catalogDo {
            try catalog.insertJob(id: spec.id, kind: spec.kind.rawValue, dataset: spec.dataset, spec: spec.json(), total: spec.total)
        }
        try writeState(spec.id)
    }

    public func spec(_ id: String) throws(EngineError) -> JobSpec {
        guard let data = FileManager.default.contents(atPath: "\(folder(id))/spec.json") else {
            throw EngineError(.invalidSpec, "no job \(id) (no \(folder(id))/spec.json)")
        }
        return try JobSpec.parse(Array(data), file: "\(folder(id))/spec.json")
    }

    /// Changes the given fields of a job (`pid: .some(nil)` clears the pid), in the catalog and in
    /// its folder's `state.json`.
    public func update(
        _ id: String, state: JobState? = nil, done: Int? = nil, total: Int? = nil, pid: Int32?? = nil, exitStatus: Int32? = nil
    ) throws(EngineError) {
        try catalogDo { try catalog.updateJob(id, state: state?.rawValue, done: done, total: total, pid: pid, exitStatus: exitStatus) }
        if state != nil || done != nil || total != nil || exitStatus != nil { try writeState(id) }
    }

    /// `state.json` from the catalog's row.
    private func writeState(_ id: String) throws(EngineError) {
        guard let job = try job(id) else { return }
        var members: [(String, JSONValue)] = [("state", .string(job.state.rawValue)), ("done", .int(job.done)), ("total", .int(job.total))]
        if let status = job.exitStatus { members.append(("exit_status", .int(Int(status)))) }
        do {
            try FileIO.writeAtomically(
                Array((JSONValue.object(members).serialized() + "\n").utf8), to: "\(folder(id))/state.json", durable: false)
        } catch {
            throw EngineError(.commitFailed, "cannot write \(folder(id))/state.json: \(error.message)")
        }
    }

    /// Appends an event to `events.ndjson` and to the catalog.
    public func record(_ id: String, _ event: JobEvent) throws(EngineError) {
        let line = event.line()
        do {
            try FileIO.append(Array(line.utf8), to: "\(folder(id))/events.ndjson", durable: false)
        } catch {
            throw EngineError(.commitFailed, "cannot write the job's events: \(error.message)")
        }
        try catalogDo { try catalog.appendJobEvent(id, kind: event.kind, body: String(line.dropLast())) }
    }

    /// Puts back into the catalog the jobs it does not know (a catalog rebuilt after damage or
    /// deletion) from their folders: spec, state and events. A job recorded as running or queued
    /// whose worker is gone becomes interrupted (resumable). Returns how many were restored.
    /// A job folder whose spec cannot be read is not restored; `unreadable` says which and why.
    @discardableResult
    public func restoreFromFolders() throws(EngineError) -> (restored: Int, unreadable: [String]) {
        let jobsFolder = "\(root)/.studio/jobs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: jobsFolder) else { return (0, []) }
        let known = Set(try records().map(\.id))
        var restored = 0
        var unreadable: [String] = []
        for id in names.sorted() where !known.contains(id) {
            let spec: JobSpec
            do throws(EngineError) {
                spec = try self.spec(id)
            } catch {
                unreadable.append(error.message)
                continue
            }
            let saved = Self.readState("\(folder(id))/state.json")
            var state = saved?.state ?? .interrupted
            if state == .running || state == .queued { state = .interrupted }
            try catalogDo {
                try catalog.insertJob(id: spec.id, kind: spec.kind.rawValue, dataset: spec.dataset, spec: spec.json(), total: spec.total)
            }
            let events = (try? String(contentsOfFile: "\(folder(id))/events.ndjson", encoding: .utf8)) ?? ""
            for line in events.split(separator: "\n") {
                guard let event = try? JobEvent.parse(line) else { continue }
                try catalogDo { try catalog.appendJobEvent(id, kind: event.kind, body: String(line)) }
            }
            try catalogDo {
                try catalog.updateJob(
                    id, state: state.rawValue, done: saved?.done ?? 0, total: saved?.total ?? spec.total, exitStatus: saved?.exitStatus)
            }
            restored += 1
        }
        return (restored, unreadable)
    }

    /// A job's `state.json`, nil when missing or damaged.
    static func readState(_ path: String) -> (state: JobState, done: Int, total: Int, exitStatus: Int32?)? {
        guard let data = FileManager.default.contents(atPath: path), let object = try? JSONReader.parse(Array(data)),
            let state = object["state"]?.string.flatMap(JobState.init(rawValue:)), let done = object["done"]?.integer,
            let total = object["total"]?.integer
        else { return nil }
        return (state, done, total, object["exit_status"]?.integer.map { Int32(truncatingIfNeeded: $0) })
    }

    public func job(_ id: String) throws(EngineError) -> JobRecord? { try records(id: id).first }

    public func all() throws(EngineError) -> [JobRecord] { try records() }

    public func queued() throws(EngineError) -> [JobRecord] { try records(state: .queued) }

    private func records(id: String? = nil, state: JobState? = nil) throws(EngineError) -> [JobRecord] {
        let rows = try catalogDo { try catalog.jobs(id: id, state: state?.rawValue) }
        return rows.map { row in
            JobRecord(
                id: row.id, kind: JobSpec.Kind(rawValue: row.kind) ?? .external, state: JobState(rawValue: row.state) ?? .failed,
                dataset: row.dataset,
                done: row.done, total: row.total, pid: row.pid, exitStatus: row.exitStatus, created: row.created, updated: row.updated)
        }
    }

    private func catalogDo<T>(_ body: () throws -> T) throws(EngineError) -> T {
        do {
            return try body()
        } catch let error as CatalogError {
            throw EngineError(.commitFailed, "catalog: \(error.message)")
        } catch {
            throw EngineError(.commitFailed, "catalog: \(error)")
        }
    }
}
