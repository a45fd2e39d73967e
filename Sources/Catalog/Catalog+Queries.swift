public import Datasets
internal import GRDB

/// One indexed dataset.
public struct DatasetSummary: Sendable, Hashable {
    public let name: String
    /// As written in `studio.yaml`.
    public let path: String
    public let format: DatasetFormat
    public let origin: Origin
    public let holdout: Bool
    public let images: Int
    public let annotations: Int
    /// Files skipped while reading (see `validate`).
    public let problems: Int
}

/// One image as the index knows it.
public struct SampleRow: Sendable, Hashable {
    public let id: Int64
    public let dataset: String
    /// Relative to the dataset folder.
    public let path: String
    public let width: Int
    public let height: Int
    public let split: String?
    public let origin: Origin
    public let provenance: String?
}

/// Which samples to list: every condition given must hold for at least one annotation of the
/// sample (all conditions on the same annotation, as a coverage cell counts them).
public struct SampleFilter: Sendable, Hashable {
    public var datasets: [String]?
    /// Conditions on axes: `category`, `split`, `origin`, `dataset` or an attribute key.
    public var conditions: [(axis: CoverageAxis, value: String)]

    public init(datasets: [String]? = nil, conditions: [(axis: CoverageAxis, value: String)] = []) {
        self.datasets = datasets
        self.conditions = conditions
    }

    public static func == (a: SampleFilter, b: SampleFilter) -> Bool {
        a.datasets == b.datasets && a.conditions.map { "\($0.axis)=\($0.value)" } == b.conditions.map { "\($0.axis)=\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(datasets)
        for c in conditions { hasher.combine("\(c.axis)=\(c.value)") }
    }
}

extension Catalog {
    /// Every indexed dataset, in the order they were indexed.
    public func datasets() throws(CatalogError) -> [DatasetSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, path, format, origin, holdout, images, annotations, problems FROM datasets ORDER BY id")
                .map { row in
                    DatasetSummary(
                        name: row["name"], path: row["path"], format: DatasetFormat(rawValue: row["format"]) ?? .coco,
                        origin: Origin(rawValue: row["origin"]) ?? .real, holdout: row["holdout"], images: row["images"],
                        annotations: row["annotations"], problems: row["problems"])
                }
        }
    }

    /// Annotations and images per class of one dataset, in category order.
    public func classBalance(dataset name: String) throws(CatalogError) -> ClassBalance {
        let rows: (Origin, [ClassBalance.Row])? = try read { db in
            guard let dataset = try Row.fetchOne(db, sql: "SELECT id, origin FROM datasets WHERE name = ?", arguments: [name]) else {
                return nil
            }
            let id: Int64 = dataset["id"]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.category_id, c.name, COALESCE(k.annotations, 0) AS annotations, COALESCE(k.images, 0) AS images
                    FROM categories c LEFT JOIN class_counts k ON k.dataset_id = c.dataset_id AND k.category = c.name
                    WHERE c.dataset_id = ? ORDER BY c.position
                    """, arguments: [id]
            ).map { row in
                ClassBalance.Row(
                    category: Category(id: row["category_id"], name: row["name"]), annotations: row["annotations"], images: row["images"])
            }
            return (Origin(rawValue: dataset["origin"]) ?? .real, rows)
        }
        guard let rows else { throw CatalogError(.notFound, "no dataset named \(name) in the catalog") }
        return ClassBalance(dataset: name, origin: rows.0, rows: rows.1)
    }

    /// The coverage matrix from the precomputed counts: a few hundred rows read, whatever the
    /// number of annotations. `datasets` defaults to every dataset that is not a holdout.
    public func coverage(_ spec: CoverageSpec, datasets names: [String]? = nil) throws(CatalogError) -> CoverageMatrix {
        try read { db in
            let all = try Row.fetchAll(db, sql: "SELECT id, name, holdout FROM datasets ORDER BY id")
            let chosen = all.filter { row in
                names.map { $0.contains(row["name"] as String) } ?? spec.counts(row["name"] as String, holdout: row["holdout"] as Bool)
            }
            let ids = chosen.map { $0["id"] as Int64 }
            let rowsAxis = spec.rows.description
            let colsAxis = spec.columns?.description
            var counts: [CoverageCount] = []
            for id in ids {
                // The axes this dataset has: an attribute it never uses counts as unset there.
                let known = Set(
                    try String.fetchAll(
                        db, sql: "SELECT DISTINCT row_axis FROM coverage_counts WHERE dataset_id = ? AND col_axis = ''", arguments: [id]))
                let rowsKnown = known.contains(rowsAxis)
                let colsKnown = colsAxis.map { known.contains($0) } ?? true
                let sql: String
                var arguments: [any DatabaseValueConvertible]
                if let colsAxis, colsAxis != rowsAxis, rowsKnown, colsKnown {
                    // Pairs are stored once, in axis order; a query in the other orientation swaps them.
                    sql = """
                        SELECT row_axis, row_value, col_value, origin, SUM(count) FROM coverage_counts
                        WHERE dataset_id = ? AND ((row_axis = ? AND col_axis = ?) OR (row_axis = ? AND col_axis = ?))
                        GROUP BY row_axis, row_value, col_value, origin
                        """
                    arguments = [id, rowsAxis, colsAxis, colsAxis, rowsAxis]
                } else {
                    // One axis alone (or the only one this dataset knows); any dataset knows `category`.
                    let axis = rowsKnown ? rowsAxis : (colsAxis.flatMap { known.contains($0) ? $0 : nil } ?? "category")
                    sql = """
                        SELECT row_axis, row_value, row_value, origin, SUM(count) FROM coverage_counts
                        WHERE dataset_id = ? AND row_axis = ? AND col_axis = '' GROUP BY row_value, origin
                        """
                    arguments = [id, axis]
                }
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) {
                    let axis: String = row[0], first: String = row[1], second: String = row[2]
                    let origin = Origin(rawValue: row[3]) ?? .real
                    let count: Int = row[4]
                    let rowValue: String, columnValue: String
                    if let colsAxis, colsAxis != rowsAxis, rowsKnown, colsKnown {
                        let swapped = axis != rowsAxis
                        (rowValue, columnValue) = swapped ? (second, first) : (first, second)
                    } else {
                        rowValue = rowsKnown ? first : CoverageAxis.unset
                        columnValue = colsAxis == nil ? "all" : (colsAxis == rowsAxis ? rowValue : (colsKnown ? first : CoverageAxis.unset))
                    }
                    counts.append(CoverageCount(row: rowValue, column: columnValue, origin: origin, count: count))
                }
            }
            // Categories of the chosen datasets in their order, for rows or columns with no data.
            var categoryNames: [String] = []
            for id in ids {
                for name in try String.fetchAll(
                    db, sql: "SELECT name FROM categories WHERE dataset_id = ? ORDER BY position", arguments: [id])
                where !categoryNames.contains(name) {
                    categoryNames.append(name)
                }
            }
            return CoverageMatrix(
                counts: counts, spec: spec, categoryNames: categoryNames, datasetNames: chosen.map { $0["name"] as String })
        }
    }

    /// Samples matching `filter`, in index order, one page at a time. Samples are walked in id
    /// order and each is tested with one indexed `EXISTS` over its own annotations, so a page
    /// costs about as much as the samples it skips, never a scan of every annotation.
    public func samples(_ filter: SampleFilter, offset: Int = 0, limit: Int = 100) throws(CatalogError) -> [SampleRow] {
        try read { db in
            var sampleClauses: [String] = []
            var annotationClauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let datasets = filter.datasets {
                sampleClauses.append("d.name IN (\(datasets.map { _ in "?" }.joined(separator: ",")))")
                arguments += datasets
            }
            var annotationArguments: [any DatabaseValueConvertible] = []
            for condition in filter.conditions {
                switch condition.axis {
                case .split:
                    sampleClauses.append("COALESCE(s.split, '\(CoverageAxis.unset)') = ?")
                    arguments.append(condition.value)
                case .origin:
                    sampleClauses.append("s.origin = ?")
                    arguments.append(condition.value)
                case .dataset:
                    sampleClauses.append("d.name = ?")
                    arguments.append(condition.value)
                case .category:
                    annotationClauses.append("a.category = ?")
                    annotationArguments.append(condition.value)
                case .attribute(let key):
                    annotationClauses.append(
                        """
                        COALESCE((SELECT value FROM annotation_attributes WHERE annotation_id = a.id AND key = ?),
                                 (SELECT value FROM sample_attributes WHERE sample_id = s.id AND key = ?), '\(CoverageAxis.unset)') = ?
                        """)
                    annotationArguments += [key, key, condition.value]
                }
            }
            if !annotationClauses.isEmpty {
                sampleClauses.append(
                    "EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND \(annotationClauses.joined(separator: " AND ")))")
                arguments += annotationArguments
            }
            let whereClause = sampleClauses.isEmpty ? "" : "WHERE " + sampleClauses.joined(separator: " AND ")
            arguments += [limit, offset]
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, d.name, s.path, s.width, s.height, s.split, s.origin, s.provenance
                    FROM samples s JOIN datasets d ON d.id = s.dataset_id
                    \(whereClause) ORDER BY s.id LIMIT ? OFFSET ?
                    """, arguments: StatementArguments(arguments)
            ).map { row in
                SampleRow(
                    id: row[0], dataset: row[1], path: row[2], width: row[3], height: row[4], split: row[5],
                    origin: Origin(rawValue: row[6]) ?? .real, provenance: row[7])
            }
        }
    }
}
