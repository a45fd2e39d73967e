public import Datasets
internal import Foundation
internal import GRDB
internal import ImageIO
internal import StudioCore

/// What a refresh did to each dataset.
public struct RefreshReport: Sendable {
    public enum Action: String, Sendable {
        /// Files unchanged: nothing was read.
        case unchanged
        /// Read again (new, or some file changed).
        case indexed
        /// No longer in the workspace: removed from the index.
        case removed
        /// Could not be read (`problem` says why): its previous index, if any, is kept.
        case failed
    }

    public struct Entry: Sendable {
        public let dataset: String
        public let action: Action
        public let images: Int
        public let annotations: Int
        /// Image headers actually read (the rest were known and unchanged).
        public let probed: Int
        public let seconds: Double
        /// Why a `.failed` dataset could not be read.
        public var problem: String? = nil
    }

    public var entries: [Entry] = []

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// The datasets that could not be read, each as "dataset NAME: why".
    public var problems: [String] { entries.compactMap { e in e.problem.map { "dataset \(e.dataset): \($0)" } } }
}

extension Catalog {
    /// Brings the index up to date with the workspace's files. A dataset whose files all have the
    /// size and modification time recorded last time is not read at all; a changed one is read
    /// again, but image headers are probed only for new or changed images (on all cores). A
    /// dataset that cannot be read is reported (`.failed`, `RefreshReport.problems`) and keeps its
    /// previous index; the others are indexed all the same. With `only`, just those datasets are
    /// looked at (and none is removed). Throws only when the catalog fails.
    public func refresh(_ workspace: Workspace, only: Set<String>? = nil, force: Bool = false) throws(CatalogError) -> RefreshReport {
        var report = RefreshReport()
        let names = Set(workspace.datasets.map(\.name))
        for entry in workspace.datasets where only?.contains(entry.name) ?? true {
            let start = Date()
            let root = workspace.path(of: entry)
            let files = FileListing(root: root)
            let stored = try read { db in
                try Row.fetchOne(
                    db, sql: "SELECT id, file_count, file_hash, images, annotations, holdout, origin FROM datasets WHERE name = ?",
                    arguments: [entry.name])
            }
            let unchanged =
                stored.map {
                    FolderSignature(count: $0["file_count"], hash: UInt64(bitPattern: $0["file_hash"])) == files.signature
                        && ($0["holdout"] as Bool) == entry.holdout && ($0["origin"] as String) == entry.origin.rawValue
                } ?? false
            if unchanged && !force, let stored {
                report.entries.append(
                    .init(
                        dataset: entry.name, action: .unchanged, images: stored["images"], annotations: stored["annotations"], probed: 0,
                        seconds: Date().timeIntervalSince(start)))
                continue
            }
            let known = try knownImages(dataset: entry.name, root: root)
            let dataset: Dataset
            do {
                dataset = try workspace.load(entry, prober: ImageProber(known: known))
            } catch {
                // One unreadable dataset (a folder gone, a broken annotations file) must not take
                // the others down: they are indexed, this one keeps its last index.
                report.entries.append(
                    .init(
                        dataset: entry.name, action: .failed, images: stored?["images"] ?? 0, annotations: stored?["annotations"] ?? 0,
                        probed: 0, seconds: Date().timeIntervalSince(start), problem: error.description))
                continue
            }
            let probed = dataset.samples.filter { sample in
                guard let k = known[dataset.imagePath(of: sample)], let f = files.entries[sample.path] else { return true }
                return k.size != f.size || k.modified != f.modified
            }.count
            try store(dataset, entry: entry, files: files)
            report.entries.append(
                .init(
                    dataset: entry.name, action: .indexed, images: dataset.samples.count, annotations: dataset.annotationCount,
                    probed: probed, seconds: Date().timeIntervalSince(start)))
        }
        guard only == nil else { return report }
        let gone = try read { db in try String.fetchAll(db, sql: "SELECT name FROM datasets") }.filter { !names.contains($0) }
        for name in gone {
            try write { db in try db.execute(sql: "DELETE FROM datasets WHERE name = ?", arguments: [name]) }
            report.entries.append(.init(dataset: name, action: .removed, images: 0, annotations: 0, probed: 0, seconds: 0))
        }
        return report
    }

    /// Sizes recorded for a dataset's images, keyed as the reader forms paths (root + relative).
    private func knownImages(dataset name: String, root: String) throws(CatalogError) -> [String: ImageProber.Known] {
        try read { db in
            var known: [String: ImageProber.Known] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT s.path, s.file_size, s.mtime, s.width, s.height FROM samples s JOIN datasets d ON d.id = s.dataset_id WHERE d.name = ?",
                arguments: [name])
            while let row = try rows.next() {
                known["\(root)/\(row[0] as String)"] = ImageProber.Known(size: row[1], modified: row[2], width: row[3], height: row[4])
            }
            return known
        }
    }

    /// Replaces a dataset's rows in one transaction: samples, annotations, attributes, counts.
    private func store(_ dataset: Dataset, entry: Workspace.Entry, files: FileListing) throws(CatalogError) {
        try write { db in
            try db.execute(sql: "DELETE FROM datasets WHERE name = ?", arguments: [entry.name])
            try db.execute(
                sql: """
                    INSERT INTO datasets (name, path, format, origin, holdout, file_count, file_hash, indexed_at, images, annotations, problems)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)
                    """,
                arguments: [
                    entry.name, entry.path, dataset.format.rawValue, dataset.origin.rawValue, entry.holdout, files.signature.count,
                    Int64(bitPattern: files.signature.hash), Date().timeIntervalSince1970, dataset.problems.count,
                ])
            let datasetID = db.lastInsertedRowID
            try Rows.insert(
                dataset.samples, categories: dataset.categories, dataset: entry.name, datasetID: datasetID,
                stamp: { files.entries[$0].map { FileStamp(path: "", size: $0.size, modified: $0.modified) } }, db)
        }
    }

    /// Records samples a commit has just added to a dataset the index is up to date with — rows,
    /// class and coverage counts, and the folder's signature — without reading the dataset:
    /// the cost is that of the samples added, whatever the dataset's size.
    ///
    /// `categories` is the dataset's whole class list after the commit; `added` the files the
    /// commit created, `replaced` those it rewrote (old stamp, new stamp), so the stored signature
    /// stays equal to the folder's and the next refresh finds it unchanged.
    public func append(
        _ samples: [Sample], categories: [Category], to dataset: String, added: [FileStamp],
        replaced: [(old: FileStamp?, new: FileStamp)] = []
    ) throws(CatalogError) {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, file_count, file_hash FROM datasets WHERE name = ?", arguments: [dataset])
            else {
                throw CatalogError(.notFound, "no dataset named \(dataset) in the catalog; index it before appending to it")
            }
            let datasetID: Int64 = row["id"]
            var signature = FolderSignature(count: row["file_count"], hash: UInt64(bitPattern: row["file_hash"]))
            for stamp in added { signature.add(stamp) }
            for (old, new) in replaced {
                if let old { signature.remove(old) }
                signature.add(new)
            }
            let stamps = Dictionary(added.map { ($0.path, $0) }, uniquingKeysWith: { _, last in last })
            try Rows.insert(samples, categories: categories, dataset: dataset, datasetID: datasetID, stamp: { stamps[$0] }, db)
            try db.execute(
                sql: "UPDATE datasets SET file_count = ?, file_hash = ?, indexed_at = ? WHERE id = ?",
                arguments: [signature.count, Int64(bitPattern: signature.hash), Date().timeIntervalSince1970, datasetID])
        }
    }

    /// Whether the stored index of `dataset` matches its folder's files now (false when it is not
    /// indexed): a writer checks before appending, and refreshes first when it does not.
    public func isCurrent(_ dataset: String, root: String) throws(CatalogError) -> Bool {
        let row = try read { db in
            try Row.fetchOne(db, sql: "SELECT file_count, file_hash FROM datasets WHERE name = ?", arguments: [dataset])
        }
        guard let row else { return false }
        return FolderSignature(count: row["file_count"], hash: UInt64(bitPattern: row["file_hash"])) == FileListing(root: root).signature
    }
}

/// Inserting samples with everything derived from them; shared by a full index and by appends.
enum Rows {
    /// Adds `samples` to dataset `datasetID`: categories not yet known (in order), sample,
    /// annotation and attribute rows, and their class and coverage counts added to the stored
    /// ones. `stamp` gives an image's size and time by its path.
    static func insert(
        _ samples: [Sample], categories: [Category], dataset: String, datasetID: Int64, stamp: (String) -> FileStamp?, _ db: Database
    ) throws {
        let known = Set(try Int.fetchAll(db, sql: "SELECT category_id FROM categories WHERE dataset_id = ?", arguments: [datasetID]))
        var position =
            try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(position) + 1, 0) FROM categories WHERE dataset_id = ?", arguments: [datasetID])
            ?? 0
        let insertCategory = try db.makeStatement(
            sql: "INSERT INTO categories (dataset_id, category_id, name, position) VALUES (?, ?, ?, ?)")
        for category in categories where !known.contains(category.id) {
            try insertCategory.execute(arguments: [datasetID, category.id, category.name, position])
            position += 1
        }
        let insertSample = try db.makeStatement(
            sql:
                "INSERT INTO samples (dataset_id, path, file_size, mtime, width, height, split, origin, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        let insertAnnotation = try db.makeStatement(
            sql: "INSERT INTO annotations (sample_id, dataset_id, category, x, y, w, h, area, iscrowd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let insertSampleAttribute = try db.makeStatement(sql: "INSERT INTO sample_attributes (sample_id, key, value) VALUES (?, ?, ?)")
        let insertAnnotationAttribute = try db.makeStatement(
            sql: "INSERT INTO annotation_attributes (annotation_id, key, value) VALUES (?, ?, ?)")
        let names = Dictionary(categories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var annotationCount = 0
        for sample in samples {
            let file = stamp(sample.path)
            try insertSample.execute(arguments: [
                datasetID, sample.path, file?.size ?? -1, file?.modified ?? -1, sample.width, sample.height, sample.split,
                sample.origin.rawValue, sample.provenance,
            ])
            let sampleID = db.lastInsertedRowID
            for (key, value) in sample.attributes { try insertSampleAttribute.execute(arguments: [sampleID, key, value]) }
            for annotation in sample.annotations {
                let box = annotation.box
                try insertAnnotation.execute(arguments: [
                    sampleID, datasetID, names[annotation.categoryID]?.name ?? "category \(annotation.categoryID)",
                    box?.x, box?.y, box?.width, box?.height, annotation.area, annotation.isCrowd,
                ])
                annotationCount += 1
                if !annotation.attributes.isEmpty {
                    let annotationID = db.lastInsertedRowID
                    for (key, value) in annotation.attributes {
                        try insertAnnotationAttribute.execute(arguments: [annotationID, key, value])
                    }
                }
            }
        }
        let addCount = try db.makeStatement(
            sql: """
                INSERT INTO coverage_counts (dataset_id, row_axis, row_value, col_axis, col_value, origin, count) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET count = count + excluded.count
                """)
        for (cell, count) in CoverageCounts(samples, dataset: dataset, names: names).cells {
            try addCount.execute(arguments: [datasetID, cell.rowAxis, cell.rowValue, cell.columnAxis, cell.columnValue, cell.origin, count])
        }
        let addClass = try db.makeStatement(
            sql: """
                INSERT INTO class_counts (dataset_id, category, annotations, images) VALUES (?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET annotations = annotations + excluded.annotations, images = images + excluded.images
                """)
        var perClass: [String: (annotations: Int, images: Int)] = [:]
        for sample in samples {
            var seen: Set<String> = []
            for annotation in sample.annotations where !annotation.isIgnored {
                let name = names[annotation.categoryID]?.name ?? "category \(annotation.categoryID)"
                perClass[name, default: (0, 0)].annotations += 1
                if seen.insert(name).inserted { perClass[name, default: (0, 0)].images += 1 }
            }
        }
        for (name, n) in perClass { try addClass.execute(arguments: [datasetID, name, n.annotations, n.images]) }
        try db.execute(
            sql: "UPDATE datasets SET images = images + ?, annotations = annotations + ? WHERE id = ?",
            arguments: [samples.count, annotationCount, datasetID])
    }
}
