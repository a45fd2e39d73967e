public import Catalog
internal import Foundation

/// Jobs in the catalog (`jobs`, `job_events`) and in `.studio/jobs/<id>/` (spec, events, stderr).
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
            try FileManager.default.createDirectory(atPath: folder(spec.id), withIntermediateDirectories: true)
            try Data(spec.json().utf8).write(to: URL(fileURLWithPath: "\(folder(spec.id))/spec.json"), options: .atomic)
        } catch {
            throw EngineError(.commitFailed, "cannot write the job folder \(folder(spec.id)): \(error)")
        }
        try catalogDo {
            try catalog.insertJob(id: spec.id, kind: spec.kind.rawValue, dataset: spec.dataset, spec: spec.json(), total: spec.count)
        }
    }

    public func spec(_ id: String) throws(EngineError) -> JobSpec {
        guard let data = FileManager.default.contents(atPath: "\(folder(id))/spec.json") else {
            throw EngineError(.invalidSpec, "no job \(id) (no \(folder(id))/spec.json)")
        }
        return try JobSpec.parse(Array(data), file: "\(folder(id))/spec.json")
    }

    public func update(
        _ id: String, state: JobState? = nil, done: Int? = nil, total: Int? = nil, pid: Int32?? = nil, exitStatus: Int32? = nil
    ) throws(EngineError) {
        try catalogDo { try catalog.updateJob(id, state: state?.rawValue, done: done, total: total, pid: pid, exitStatus: exitStatus) }
    }

    /// Appends an event to `events.ndjson` and to the catalog.
    public func record(_ id: String, _ event: JobEvent) throws(EngineError) {
        let line = event.line()
        let path = "\(folder(id))/events.ndjson"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            try? handle.close()
        }
        try catalogDo { try catalog.appendJobEvent(id, kind: event.kind, body: String(line.dropLast())) }
    }

    /// Puts back into the catalog the jobs it lost (a rebuilt catalog) from their folders:
    /// spec, last event and committed units. Returns how many were restored.
    @discardableResult
    public func restoreFromFolders() throws(EngineError) -> Int {
        let jobsFolder = "\(root)/.studio/jobs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: jobsFolder) else { return 0 }
        let known = Set(try records().map(\.id))
        var restored = 0
        for id in names.sorted() where !known.contains(id) {
            guard let spec = try? spec(id) else { continue }
            let events = (try? String(contentsOfFile: "\(folder(id))/events.ndjson", encoding: .utf8)) ?? ""
            let last = events.split(separator: "\n").last.flatMap { try? JobEvent.parse($0) }
            let state: JobState =
                switch last {
                case .finished?: .succeeded
                case .failed?: .failed
                default: .interrupted
                }
            let committed = ((try? String(contentsOfFile: "\(folder(id))/committed.txt", encoding: .utf8)) ?? "").split(separator: "\n")
                .count
            try catalogDo {
                try catalog.insertJob(id: spec.id, kind: spec.kind.rawValue, dataset: spec.dataset, spec: spec.json(), total: spec.count)
            }
            try update(id, state: state, done: committed)
            restored += 1
        }
        return restored
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
