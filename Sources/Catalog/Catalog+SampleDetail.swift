internal import Datasets
internal import GRDB
public import StudioCore

/// What the preview pane shows beside an image: its labels and attributes.
public struct SampleDetail: Sendable, Hashable {
    public struct Label: Sendable, Hashable {
        public let category: String
        /// Pixels, origin top-left; nil for an image-level label.
        public let box: BoundingBox?
        public let attributes: [String: String]
    }

    public let labels: [Label]
    public let attributes: [String: String]
}

extension Catalog {
    /// Labels and attributes of sample `id` (one query each; a few rows).
    public func detail(sample id: Int64) throws(CatalogError) -> SampleDetail {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, category, x, y, w, h FROM annotations WHERE sample_id = ? ORDER BY id", arguments: [id])
            var attributesOf: [Int64: [String: String]] = [:]
            for row in try Row.fetchAll(
                db,
                sql:
                    "SELECT a.id, t.key, t.value FROM annotations a JOIN annotation_attributes t ON t.annotation_id = a.id WHERE a.sample_id = ?",
                arguments: [id])
            {
                attributesOf[row[0], default: [:]][row[1]] = row[2] as String
            }
            let labels = rows.map { row -> SampleDetail.Label in
                let box: BoundingBox? =
                    (row["x"] as Double?).map { x in
                        BoundingBox(x: x, y: row["y"] as Double? ?? 0, width: row["w"] as Double? ?? 0, height: row["h"] as Double? ?? 0)
                    }
                return SampleDetail.Label(category: row["category"], box: box, attributes: attributesOf[row["id"]] ?? [:])
            }
            var attributes: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM sample_attributes WHERE sample_id = ?", arguments: [id]) {
                attributes[row[0]] = row[1] as String
            }
            return SampleDetail(labels: labels, attributes: attributes)
        }
    }
}

extension Catalog {
    /// The classes of each sample, most annotations first (ties by name), for thumbnail captions;
    /// ignore regions are left out.
    public func classes(of samples: [Int64]) throws(CatalogError) -> [Int64: [String]] {
        guard !samples.isEmpty else { return [:] }
        return try read { db in
            var counts: [Int64: [String: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT sample_id, category, count(*) FROM annotations
                    WHERE iscrowd = 0 AND sample_id IN (\(samples.map { _ in "?" }.joined(separator: ",")))
                    GROUP BY sample_id, category
                    """, arguments: StatementArguments(samples))
            {
                counts[row[0], default: [:]][row[1]] = row[2] as Int
            }
            return counts.mapValues { byClass in
                byClass.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
            }
        }
    }
}
