internal import Datasets
internal import Foundation
internal import GRDB
internal import ImageIO

/// The workspace's index: datasets, samples, annotations, attributes, precomputed counts, and
/// job history, in `.studio/catalog.sqlite` (SQLite in WAL mode, through GRDB).
///
/// A cache of the files, rebuilt from them whenever it is missing, unreadable or of an older
/// shape — except job history, which lives only here (and in `.studio/jobs/`). Queries answer
/// from the index and never rescan files; `refresh` brings it up to date, reading only what changed.
public final class Catalog: Sendable {
    /// The SQLite file.
    public let path: String
    /// Set when the file could not be used and a fresh catalog was made: what happened and what
    /// was lost.
    public let recovery: String?
    let pool: DatabasePool

    /// `<workspace>/.studio/catalog.sqlite`.
    public static func path(workspace root: String) -> String { "\(root)/.studio/catalog.sqlite" }

    /// Opens (or creates) the catalog of a workspace.
    public static func open(workspace root: String) throws(CatalogError) -> Catalog {
        do {
            try FileIO.createDirectory("\(root)/.studio")
        } catch {
            throw CatalogError(.unavailable, "cannot create \(root)/.studio: \(error.message)")
        }
        return try Catalog(path: path(workspace: root))
    }

    /// Opens the catalog at `path`; a file that is not a usable catalog is moved aside
    /// (`…corrupt-<time>`) and replaced by an empty one, which `recovery` reports.
    public init(path: String) throws(CatalogError) {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            pool = try Self.connect(path)
            recovery = nil
        } catch {
            // Only a damaged file is replaced; a full disk or a lock is reported, never "repaired".
            guard existed, Self.isDamage(error) else {
                throw CatalogError(.unavailable, "cannot open the catalog \(path): \(Self.describe(error))")
            }
            let aside = "\(path).corrupt-\(Int(Date().timeIntervalSince1970))"
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            do {
                pool = try Self.connect(path)
            } catch {
                throw CatalogError(.unavailable, "cannot create the catalog \(path): \(error)")
            }
            recovery =
                "the catalog was unreadable (\(Self.describe(error))); it was moved to \(aside) and will be rebuilt from the files — job history is lost (the jobs commands restore what .studio/jobs still holds)"
        }
    }

    private static func connect(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        // Touch every table, so a damaged file is found now rather than halfway through a query.
        _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM datasets") }
        return pool
    }

    /// Whether SQLite found the file is not a database or is corrupt (or our schema check failed).
    static func isDamage(_ error: any Error) -> Bool {
        guard let db = error as? DatabaseError else { return false }
        return db.resultCode == .SQLITE_CORRUPT || db.resultCode == .SQLITE_NOTADB || db.resultCode == .SQLITE_SCHEMA
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? "\(db.resultCode)" }
        return "\(error)"
    }

    /// Runs a write transaction, turning SQLite errors into `CatalogError`.
    func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try pool.write(body)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError(.database, "catalog write failed: \(Self.describe(error))")
        }
    }

    /// Runs a read, turning SQLite errors into `CatalogError`.
    func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try pool.read(body)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError(.database, "catalog read failed: \(Self.describe(error))")
        }
    }
}
