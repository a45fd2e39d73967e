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
