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
    /// previous index; the others are indexed all the same. Throws only when the catalog fails.
    public func refresh(_ workspace: Workspace, force: Bool = false) throws(CatalogError) -> RefreshReport {
        var report = RefreshReport()
        let names = Set(workspace.datasets.map(\.name))
        for entry in workspace.datasets {
            let start = Date()
            let root = workspace.path(of: entry)
            let files = FileListing(root: root)
            let stored = try read { db in
                try Row.fetchOne(
                    db, sql: "SELECT id, signature, images, annotations, holdout, origin FROM datasets WHERE name = ?",
                    arguments: [entry.name])
            }
            let unchanged =
                stored.map {
                    ($0["signature"] as String) == files.signature && ($0["holdout"] as Bool) == entry.holdout
                        && ($0["origin"] as String) == entry.origin.rawValue
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
        let counts = Counts(dataset)
        try write { db in
            try db.execute(sql: "DELETE FROM datasets WHERE name = ?", arguments: [entry.name])
            try db.execute(
                sql: """
                    INSERT INTO datasets (name, path, format, origin, holdout, signature, indexed_at, images, annotations, problems)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.name, entry.path, dataset.format.rawValue, dataset.origin.rawValue, entry.holdout, files.signature,
                    Date().timeIntervalSince1970, dataset.samples.count, dataset.annotationCount, dataset.problems.count,
                ])
            let datasetID = db.lastInsertedRowID
            let insertCategory = try db.makeStatement(
                sql: "INSERT INTO categories (dataset_id, category_id, name, position) VALUES (?, ?, ?, ?)")
            for (position, category) in dataset.categories.enumerated() {
                try insertCategory.execute(arguments: [datasetID, category.id, category.name, position])
            }
            let insertSample = try db.makeStatement(
                sql:
                    "INSERT INTO samples (dataset_id, path, file_size, mtime, width, height, split, origin, provenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            let insertAnnotation = try db.makeStatement(
                sql:
                    "INSERT INTO annotations (sample_id, dataset_id, category, x, y, w, h, area, iscrowd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            )
            let insertSampleAttribute = try db.makeStatement(sql: "INSERT INTO sample_attributes (sample_id, key, value) VALUES (?, ?, ?)")
            let insertAnnotationAttribute = try db.makeStatement(
                sql: "INSERT INTO annotation_attributes (annotation_id, key, value) VALUES (?, ?, ?)")
            let names = dataset.categoriesByID
            for sample in dataset.samples {
                let file = files.entries[sample.path]
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
                    if !annotation.attributes.isEmpty {
                        let annotationID = db.lastInsertedRowID
                        for (key, value) in annotation.attributes {
                            try insertAnnotationAttribute.execute(arguments: [annotationID, key, value])
                        }
                    }
                }
            }
            let insertCount = try db.makeStatement(
                sql:
                    "INSERT INTO coverage_counts (dataset_id, row_axis, row_value, col_axis, col_value, origin, count) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            for c in counts.cells {
                try insertCount.execute(arguments: [datasetID, c.rowAxis, c.rowValue, c.columnAxis, c.columnValue, c.origin, c.count])
            }
            let insertClass = try db.makeStatement(
                sql: "INSERT INTO class_counts (dataset_id, category, annotations, images) VALUES (?, ?, ?, ?)")
            for row in ClassBalance(dataset).rows {
                try insertClass.execute(arguments: [datasetID, row.category.name, row.annotations, row.images])
            }
        }
    }
}

/// Every file under a dataset folder with its size and modification time, and a signature of
/// them all: equal signatures mean nothing was added, removed or touched.
struct FileListing {
    /// By path relative to the root.
    var entries: [String: (size: Int, modified: Int64)] = [:]
    var signature: String

    init(root: String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        }
        var visited: Set<FileIO.FileIdentity> = []
        var stack = [""]
        while let relative = stack.popLast() {
            let folder = relative.isEmpty ? root : "\(root)/\(relative)"
            if let id = FileIO.identity(folder), !visited.insert(id).inserted { continue }
            guard let list = try? FileIO.list(folder) else { continue }
            for item in list where !item.name.hasPrefix(".") {
                let path = relative.isEmpty ? item.name : "\(relative)/\(item.name)"
                switch item.kind {
                case .directory: stack.append(path)
                case .file:
                    entries[path] = (item.size, item.modified)
                    mix(path.utf8)
                    withUnsafeBytes(of: item.size) { mix($0) }
                    withUnsafeBytes(of: item.modified) { mix($0) }
                default: continue
                }
            }
        }
        signature = "\(entries.count):" + String(hash, radix: 16)
    }
}

/// Annotation counts for every pair of axes of one dataset (and every axis alone), computed once
/// at indexing so coverage queries never touch the annotations.
struct Counts {
    struct Cell {
        var rowAxis: String, rowValue: String, columnAxis: String, columnValue: String, origin: String, count: Int
    }

    var cells: [Cell] = []

    /// Axes stored: the fixed ones and every attribute key the dataset uses.
    static func axes(_ dataset: Dataset) -> [CoverageAxis] {
        var keys: Set<String> = []
        for sample in dataset.samples {
            keys.formUnion(sample.attributes.keys)
            for annotation in sample.annotations { keys.formUnion(annotation.attributes.keys) }
        }
        let fixed: [CoverageAxis] = [.category, .split, .origin, .dataset]
        return fixed
            + keys.sorted().filter { !["category", "class", "split", "origin", "dataset"].contains($0) }.map { CoverageAxis.attribute($0) }
    }

    init(_ dataset: Dataset) {
        let axes = Self.axes(dataset)
        let names = dataset.categoriesByID
        // Values interned per axis; counts keyed by (axis a, value a, axis b, value b, origin) packed.
        var interned = [[String: Int]](repeating: [:], count: axes.count)
        var labels = [[String]](repeating: [], count: axes.count)
        var counts: [Int: Int] = [:]
        var ids = [Int](repeating: 0, count: axes.count)
        let n = axes.count
        for sample in dataset.samples {
            let origin = sample.origin == .synthetic ? 1 : 0
            for annotation in sample.annotations {
                for (a, axis) in axes.enumerated() {
                    let value = axis.value(annotation, sample, dataset, names)
                    if let id = interned[a][value] {
                        ids[a] = id
                    } else {
                        ids[a] = labels[a].count
                        interned[a][value] = labels[a].count
                        labels[a].append(value)
                    }
                }
                for a in 0..<n {
                    // b == a stands for "this axis alone".
                    for b in a..<n {
                        let key = ((((a * 64 + b) << 20 | ids[a]) << 20) | ids[b]) << 1 | origin
                        counts[key, default: 0] += 1
                    }
                }
            }
        }
        for (key, count) in counts {
            let origin = key & 1 == 1 ? "synthetic" : "real"
            let vb = key >> 1 & 0xFFFFF, va = key >> 21 & 0xFFFFF, pair = key >> 41
            let (a, b) = (pair / 64, pair % 64)
            if a == b {
                cells.append(
                    Cell(
                        rowAxis: axes[a].description, rowValue: labels[a][va], columnAxis: "", columnValue: "all", origin: origin,
                        count: count))
            } else {
                cells.append(
                    Cell(
                        rowAxis: axes[a].description, rowValue: labels[a][va], columnAxis: axes[b].description, columnValue: labels[b][vb],
                        origin: origin, count: count))
            }
        }
    }
}
