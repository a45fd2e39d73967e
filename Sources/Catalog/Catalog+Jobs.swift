internal import Foundation
internal import GRDB

/// A job as stored in the catalog (the Engine gives the strings their meaning).
public struct JobRow: Sendable, Hashable {
    public let id: String
    public let kind: String
    public let state: String
    public let dataset: String?
    public let done: Int
    public let total: Int
    public let pid: Int32?
    public let exitStatus: Int32?
    public let created: Double
    public let updated: Double
}

/// The job tables: the one part of the catalog that is not a cache of files.
extension Catalog {
    public func insertJob(id: String, kind: String, dataset: String?, spec: String, total: Int) throws(CatalogError) {
        let now = Date().timeIntervalSince1970
        try write { db in
            try db.execute(
                sql:
                    "INSERT INTO jobs (id, kind, state, dataset, spec, done, total, created_at, updated_at) VALUES (?, ?, 'queued', ?, ?, 0, ?, ?, ?)",
                arguments: [id, kind, dataset, spec, total, now, now])
        }
    }

    /// Changes the given fields of a job (`pid: .some(nil)` clears the pid).
    public func updateJob(
        _ id: String, state: String? = nil, done: Int? = nil, total: Int? = nil, pid: Int32?? = nil, exitStatus: Int32? = nil
    ) throws(CatalogError) {
        var sets = ["updated_at = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [Date().timeIntervalSince1970]
        if let state {
            sets.append("state = ?")
            arguments.append(state)
        }
        if let done {
            sets.append("done = ?")
            arguments.append(done)
        }
        if let total {
            sets.append("total = ?")
            arguments.append(total)
        }
        if let pid {
            sets.append("pid = ?")
            arguments.append(pid.map { Int($0) })
        }
        if let exitStatus {
            sets.append("exit_status = ?")
            arguments.append(Int(exitStatus))
        }
        arguments.append(id)
        let sql = "UPDATE jobs SET \(sets.joined(separator: ", ")) WHERE id = ?"
        try write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    public func appendJobEvent(_ id: String, kind: String, body: String) throws(CatalogError) {
        try write { db in
            try db.execute(
                sql:
                    "INSERT INTO job_events (job_id, seq, time, kind, body) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM job_events WHERE job_id = ?), ?, ?, ?)",
                arguments: [id, id, Date().timeIntervalSince1970, kind, body])
        }
    }

    /// Jobs, oldest first; filtered by id or state when given.
    public func jobs(id: String? = nil, state: String? = nil) throws(CatalogError) -> [JobRow] {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let id {
            clauses.append("id = ?")
            arguments.append(id)
        }
        if let state {
            clauses.append("state = ?")
            arguments.append(state)
        }
        let sql =
            "SELECT id, kind, state, dataset, done, total, pid, exit_status, created_at, updated_at FROM jobs"
            + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY created_at, id"
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                JobRow(
                    id: row[0], kind: row[1], state: row[2], dataset: row[3], done: row[4], total: row[5],
                    pid: (row[6] as Int?).map { Int32($0) },
                    exitStatus: (row[7] as Int?).map { Int32($0) }, created: row[8], updated: row[9])
            }
        }
    }

    /// A job's events in order: (time, kind, JSON line); with `last`, only the newest that many
    /// (a long job logs thousands; a screen shows a dozen).
    public func jobEvents(_ id: String, last: Int? = nil) throws(CatalogError) -> [(time: Double, kind: String, body: String)] {
        try read { db in
            let rows: [Row]
            if let last {
                rows = try Row.fetchAll(
                    db, sql: "SELECT time, kind, body FROM job_events WHERE job_id = ? ORDER BY seq DESC LIMIT ?", arguments: [id, last]
                ).reversed()
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT time, kind, body FROM job_events WHERE job_id = ? ORDER BY seq", arguments: [id])
            }
            return rows.map { ($0[0], $0[1], $0[2]) }
        }
    }
}
