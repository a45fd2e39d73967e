public import Datasets
internal import Foundation
internal import GRDB
internal import ImageIO

/// The last health run as the catalog keeps it: when, what it looked at, how many images it had
/// to decode, and its findings counted per dataset and kind.
public struct HealthSummary: Sendable {
    public let finishedAt: Double
    public let datasets: [(name: String, images: Int)]
    /// Images decoded and measured by that run; the rest were known from an earlier one.
    public let measured: Int
    public let reused: Int
    /// Issues per dataset and kind.
    public let counts: [String: [HealthIssue.Kind: Int]]

    public func count(_ kinds: Set<HealthIssue.Kind>, in dataset: String? = nil) -> Int {
        counts.filter { dataset == nil || $0.key == dataset }.values.reduce(0) { total, byKind in
            total + byKind.filter { kinds.contains($0.key) }.values.reduce(0, +)
        }
    }
}

extension Catalog {
    /// The measures of every image of `dataset` (named `name` in the workspace): those stored for
    /// a file of the same size and time are reused, the others decoded and measured (all cores)
    /// and stored. `measured` says how many had to be decoded.
    public func measures(of dataset: Dataset, name: String) throws(CatalogError) -> (
        results: [Result<ImageMeasures, DatasetsError>], measured: Int
    ) {
        let stored = try read { db in
            var known: [String: (size: Int, modified: Int64, measures: ImageMeasures)] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT path, file_size, mtime, width, height, brightness, contrast, sharpness, noise, colourfulness, grayscale,
                           phash, pixel_hash
                    FROM image_measures WHERE dataset = ?
                    """, arguments: [name])
            while let row = try rows.next() {
                let measures = ImageMeasures(
                    width: row[3], height: row[4], brightness: row[5], contrast: row[6], sharpness: row[7], noise: row[8],
                    colourfulness: row[9], isGrayscaleInColor: row[10], perceptualHash: UInt64(bitPattern: row[11]),
                    pixelHash: UInt64(bitPattern: row[12]))
                known[row[0]] = (row[1], row[2], measures)
            }
            return known
        }
        let stamps = dataset.samples.map { FileIO.status(dataset.imagePath(of: $0)) }
        let reusable: [ImageMeasures?] = dataset.samples.indices.map { i in
            guard let known = stored[dataset.samples[i].path], let stamp = stamps[i], known.size == stamp.size,
                known.modified == stamp.modified
            else { return nil }
            return known.measures
        }
        let results = Health.measure(dataset, reusing: { reusable[$0] })
        let measured = reusable.count { $0 == nil }
        let current = Set(dataset.samples.map(\.path))
        guard measured > 0 || stored.keys.contains(where: { !current.contains($0) }) else { return (results, 0) }
        try write { db in
            try db.execute(sql: "DELETE FROM image_measures WHERE dataset = ?", arguments: [name])
            let insert = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO image_measures (dataset, path, file_size, mtime, width, height, brightness, contrast, sharpness,
                        noise, colourfulness, grayscale, phash, pixel_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (i, result) in results.enumerated() {
                // An unreadable image is not remembered: it is tried again next time.
                guard case .success(let m) = result, let stamp = stamps[i] else { continue }
                try insert.execute(arguments: [
                    name, dataset.samples[i].path, stamp.size, stamp.modified, m.width, m.height, m.brightness, m.contrast, m.sharpness,
                    m.noise, m.colourfulness, m.isGrayscaleInColor, Int64(bitPattern: m.perceptualHash), Int64(bitPattern: m.pixelHash),
                ])
            }
        }
        return (results, measured)
    }

    /// Replaces the stored health findings (and domain gap) with a run's, in one transaction.
    public func storeHealth(_ report: HealthReport, gap: [DomainGapCell], measured: Int, reused: Int) throws(CatalogError) {
        try write { db in
            try db.execute(sql: "DELETE FROM health_issues; DELETE FROM health_datasets; DELETE FROM domain_gap; DELETE FROM health_runs")
            try db.execute(
                sql: "INSERT INTO health_runs (id, finished_at, measured, reused) VALUES (1, ?, ?, ?)",
                arguments: [Date().timeIntervalSince1970, measured, reused])
            for (i, d) in report.datasets.enumerated() {
                try db.execute(
                    sql: "INSERT INTO health_datasets (position, name, images) VALUES (?, ?, ?)", arguments: [i, d.name, d.images])
            }
            let insert = try db.makeStatement(sql: "INSERT INTO health_issues (dataset, path, kind, detail) VALUES (?, ?, ?, ?)")
            for issue in report.issues {
                try insert.execute(arguments: [issue.dataset, issue.path, issue.kind.rawValue, issue.detail])
            }
            let insertGap = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO domain_gap (row_axis, col_axis, row_value, col_value, auc, real, synthetic)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for cell in gap {
                try insertGap.execute(arguments: [
                    cell.rowAxis, cell.columnAxis, cell.row, cell.column, cell.auc, cell.real, cell.synthetic,
                ])
            }
        }
    }

    /// The last health run, nil when there has been none.
    public func healthSummary() throws(CatalogError) -> HealthSummary? {
        try read { db in
            guard let run = try Row.fetchOne(db, sql: "SELECT finished_at, measured, reused FROM health_runs WHERE id = 1") else {
                return nil
            }
            let datasets = try Row.fetchAll(db, sql: "SELECT name, images FROM health_datasets ORDER BY position").map {
                (name: $0[0] as String, images: $0[1] as Int)
            }
            var counts: [String: [HealthIssue.Kind: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT dataset, kind, count(*) FROM health_issues GROUP BY dataset, kind") {
                guard let kind = HealthIssue.Kind(rawValue: row[1]) else { continue }
                counts[row[0], default: [:]][kind] = row[2]
            }
            return HealthSummary(finishedAt: run[0], datasets: datasets, measured: run[1], reused: run[2], counts: counts)
        }
    }

    /// Stored findings of the last health run, of `kinds` (all when nil) in `dataset` (all when nil),
    /// in the order the run found them.
    public func healthIssues(dataset: String? = nil, kinds: Set<HealthIssue.Kind>? = nil, limit: Int = 10_000) throws(CatalogError)
        -> [HealthIssue]
    {
        try read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let dataset {
                clauses.append("dataset = ?")
                arguments.append(dataset)
            }
            if let kinds {
                clauses.append("kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))")
                arguments += kinds.map(\.rawValue).sorted()
            }
            arguments.append(limit)
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT kind, dataset, path, detail FROM health_issues \(whereClause) ORDER BY id LIMIT ?",
                arguments: StatementArguments(arguments)
            ).compactMap { row in
                HealthIssue.Kind(rawValue: row[0]).map { HealthIssue(kind: $0, dataset: row[1], path: row[2], detail: row[3]) }
            }
        }
    }

    /// The last health run's domain gap, every view's cells and rows.
    public func domainGap() throws(CatalogError) -> [DomainGapCell] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT row_axis, col_axis, row_value, col_value, auc, real, synthetic FROM domain_gap").map { row in
                DomainGapCell(
                    rowAxis: row[0], columnAxis: row[1], row: row[2], column: row[3], auc: row[4], real: row[5], synthetic: row[6])
            }
        }
    }
}
