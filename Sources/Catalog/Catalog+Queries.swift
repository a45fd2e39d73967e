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
    /// Only images the last health run flagged with one of these kinds (`/blurry`, `/dup`).
    public var health: Set<HealthIssue.Kind>?
    /// Conditions that must not hold (`weather!=snow`), on the same annotation as `conditions`.
    public var excluded: [(axis: CoverageAxis, value: String)] = []
    /// Values compare without regard to case (what a person types in a filter).
    public var ignoringCase = false

    public init(
        datasets: [String]? = nil, conditions: [(axis: CoverageAxis, value: String)] = [], health: Set<HealthIssue.Kind>? = nil
    ) {
        self.datasets = datasets
        self.conditions = conditions
        self.health = health
    }

    public static func == (a: SampleFilter, b: SampleFilter) -> Bool {
        a.datasets == b.datasets && a.health == b.health && a.ignoringCase == b.ignoringCase
            && a.conditions.map { "\($0.axis)=\($0.value)" } == b.conditions.map { "\($0.axis)=\($0.value)" }
            && a.excluded.map { "\($0.axis)=\($0.value)" } == b.excluded.map { "\($0.axis)=\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(datasets)
        hasher.combine(health)
        for c in conditions { hasher.combine("\(c.axis)=\(c.value)") }
        for c in excluded { hasher.combine("\(c.axis)!=\(c.value)") }
        hasher.combine(ignoringCase)
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
    /// number of annotations. `datasets` defaults to the datasets the view counts. Counts are kept
    /// over the axes an annotation has a value on; an annotation without a value on an axis (an
    /// attribute its dataset never uses) counts as `(unset)` there, derived as what the pairs of
    /// values leave of the counts of one axis alone.
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
                var singles: [String: [String: [Origin: Int]]] = [:]
                var pairs: [String: [String: [Origin: Int]]] = [:]
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT row_axis, row_value, col_axis, col_value, origin, count FROM coverage_counts
                        WHERE dataset_id = ? AND ((col_axis = '' AND row_axis IN (?, ?, ?)) OR (row_axis = ? AND col_axis = ?) OR (row_axis = ? AND col_axis = ?))
                        """,
                    arguments: [id, rowsAxis, colsAxis ?? rowsAxis, "category", rowsAxis, colsAxis ?? "", colsAxis ?? "", rowsAxis])
                {
                    let rowAxis: String = row[0], rowValue: String = row[1], colAxis: String = row[2], colValue: String = row[3]
                    let origin = Origin(rawValue: row[4]) ?? .real
                    let count: Int = row[5]
                    if colAxis.isEmpty {
                        singles[rowAxis, default: [:]][rowValue, default: [:]][origin, default: 0] += count
                    } else if rowAxis == rowsAxis {
                        pairs[rowValue, default: [:]][colValue, default: [:]][origin, default: 0] += count
                    } else {
                        pairs[colValue, default: [:]][rowValue, default: [:]][origin, default: 0] += count
                    }
                }
                counts += Self.cells(singles: singles, pairs: pairs, rows: rowsAxis, columns: colsAxis)
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

    /// The cells of one dataset from its counts of one axis alone (`singles[axis][value]`) and of
    /// the two axes together (`pairs[row value][column value]`), with `(unset)` derived.
    static func cells(
        singles: [String: [String: [Origin: Int]]], pairs: [String: [String: [Origin: Int]]], rows: String, columns: String?
    ) -> [CoverageCount] {
        var out: [CoverageCount] = []
        let unset = CoverageAxis.unset
        for origin in Origin.allCases {
            func total(_ axis: String) -> Int { singles[axis]?.values.reduce(0) { $0 + ($1[origin] ?? 0) } ?? 0 }
            func add(_ row: String, _ column: String, _ count: Int) {
                if count > 0 { out.append(CoverageCount(row: row, column: column, origin: origin, count: count)) }
            }
            // Every annotation has a category: their count is the dataset's total.
            let annotations = total("category")
            let rowSingles = singles[rows] ?? [:]
            guard let columns, columns != rows else {
                for (value, n) in rowSingles { add(value, columns == nil ? "all" : value, n[origin] ?? 0) }
                add(unset, columns == nil ? "all" : unset, annotations - total(rows))
                continue
            }
            let columnSingles = singles[columns] ?? [:]
            var paired = 0
            var pairedByRow: [String: Int] = [:]
            var pairedByColumn: [String: Int] = [:]
            for (rowValue, byColumn) in pairs {
                for (columnValue, n) in byColumn {
                    let count = n[origin] ?? 0
                    add(rowValue, columnValue, count)
                    paired += count
                    pairedByRow[rowValue, default: 0] += count
                    pairedByColumn[columnValue, default: 0] += count
                }
            }
            for (value, n) in rowSingles { add(value, unset, (n[origin] ?? 0) - (pairedByRow[value] ?? 0)) }
            for (value, n) in columnSingles { add(unset, value, (n[origin] ?? 0) - (pairedByColumn[value] ?? 0)) }
            add(unset, unset, annotations - total(rows) - total(columns) + paired)
        }
        return out
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
            let collate = filter.ignoringCase ? " COLLATE NOCASE" : ""
            for (condition, negated) in filter.conditions.map({ ($0, false) }) + filter.excluded.map({ ($0, true) }) {
                let op = (negated ? "!=" : "=") + " ?" + collate
                switch condition.axis {
                case .split:
                    sampleClauses.append("COALESCE(s.split, '\(CoverageAxis.unset)') \(op)")
                    arguments.append(condition.value)
                case .origin:
                    sampleClauses.append("s.origin \(op)")
                    arguments.append(condition.value)
                case .dataset:
                    sampleClauses.append("d.name \(op)")
                    arguments.append(condition.value)
                case .category:
                    annotationClauses.append("a.category \(op)")
                    annotationArguments.append(condition.value)
                case .attribute(let key):
                    let value = """
                        COALESCE((SELECT value FROM annotation_attributes WHERE annotation_id = a.id AND key = ?),
                                 (SELECT value FROM sample_attributes WHERE sample_id = s.id AND key = ?), '\(CoverageAxis.unset)')
                        """
                    if let band = AttributeAxis.range(key: key, label: condition.value) {
                        // A band of a continuous attribute (`visibility` 0.25–0.5): its numeric range.
                        annotationClauses.append("\(negated ? "NOT " : "")(CAST(\(value) AS REAL) >= ? AND CAST(\(value) AS REAL) < ?)")
                        annotationArguments += [
                            key, key, band.lower.isFinite ? band.lower : -1e300, key, key, band.upper.isFinite ? band.upper : 1e300,
                        ]
                    } else {
                        annotationClauses.append("\(value) \(op)")
                        annotationArguments += [key, key, condition.value]
                    }
                }
            }
            if let kinds = filter.health {
                sampleClauses.append(
                    "EXISTS (SELECT 1 FROM health_issues h WHERE h.dataset = d.name AND h.path = s.path AND h.kind IN (\(kinds.map { _ in "?" }.joined(separator: ","))))"
                )
                arguments += kinds.map(\.rawValue).sorted()
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

extension Catalog {
    /// The attribute keys of a dataset's images and annotations with their values (at most
    /// `limit` per key, most frequent first; a key with more distinct values is listed with the
    /// first `limit`), for filter completion and for saying why a filter matched nothing.
    public func attributeValues(dataset: String, limit: Int = 40) throws(CatalogError) -> [String: [String]] {
        try read { db in
            var out: [String: [String]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT key, value, count(*) AS n FROM (
                        SELECT t.key, t.value FROM sample_attributes t JOIN samples s ON s.id = t.sample_id
                        JOIN datasets d ON d.id = s.dataset_id WHERE d.name = ?
                        UNION ALL
                        SELECT t.key, t.value FROM annotation_attributes t JOIN annotations a ON a.id = t.annotation_id
                        JOIN datasets d ON d.id = a.dataset_id WHERE d.name = ?
                    ) GROUP BY key, value ORDER BY key, n DESC, value
                    """, arguments: [dataset, dataset])
            for row in rows {
                let key: String = row[0]
                if out[key, default: []].count < limit { out[key, default: []].append(row[1]) }
            }
            return out
        }
    }
}

extension Catalog {
    /// COCO's object sizes by area (of the mask when the annotation has one, else of the box):
    /// `small` under 32², `medium` under 96², `large` from there.
    public static let sizeBuckets = ["small", "medium", "large"]

    /// Boxed annotations of the named datasets per class and COCO size, real and synthetic, as
    /// coverage counts (row: class, column: size); ignore regions are left out. One pass over the
    /// datasets' annotations (by the category index).
    public func sizeCounts(datasets names: [String]) throws(CatalogError) -> [CoverageCount] {
        guard !names.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.category, CASE WHEN area < 1024 THEN 0 WHEN area < 9216 THEN 1 ELSE 2 END AS bucket, s.origin, COUNT(*)
                    FROM (SELECT id, sample_id, dataset_id, category, w, iscrowd, CASE WHEN area > 0 THEN area ELSE w * h END AS area
                        FROM annotations) a JOIN samples s ON s.id = a.sample_id
                    WHERE a.dataset_id IN (SELECT id FROM datasets WHERE name IN (\(names.map { _ in "?" }.joined(separator: ","))))
                        AND a.w IS NOT NULL AND a.iscrowd = 0
                        AND NOT EXISTS (SELECT 1 FROM annotation_attributes t WHERE t.annotation_id = a.id AND t.key = 'ignore' AND t.value = 'true')
                    GROUP BY 1, 2, 3
                    """, arguments: StatementArguments(names)
            ).map { row in
                CoverageCount(
                    row: row[0], column: Self.sizeBuckets[min(2, max(0, row[1] as Int))], origin: Origin(rawValue: row[2]) ?? .real,
                    count: row[3])
            }
        }
    }
}
