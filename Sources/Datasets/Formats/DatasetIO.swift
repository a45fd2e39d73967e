internal import ImageIO

/// Reading and writing datasets in any supported format: the entry point other modules use.
public enum DatasetIO {
    /// Reads the dataset in `root`, detecting its format unless `format` is given.
    ///
    /// `origin` defaults to what the folder says: `synthetic` when it holds a `provenance.jsonl` or
    /// our COCO writer marked it so, else `real`. Provenance lines are attached to their samples.
    ///
    /// `prober` carries image sizes already known (the catalog's), so unchanged files are not read again.
    /// Symbolic links that lead out of the folder are skipped and reported unless `links` is
    /// `.follow`.
    public static func read(
        _ root: String, name: String? = nil, format: DatasetFormat? = nil, origin: Origin? = nil, prober: ImageProber = ImageProber(),
        links: LinkPolicy = .stayInside
    ) throws(DatasetsError) -> Dataset {
        let root = DatasetPaths.normalized(root)
        let layout = try format == nil ? DatasetLayout.detect(root) : DatasetLayout.forced(format!, root: root)
        var categories: [Category] = []
        var samples: [Sample] = []
        var problems: [DatasetsError] = []
        switch layout {
        case .coco(let files):
            for file in files {
                let part = try COCOReader.read(file: file.json, imageDirectory: file.imageDirectory, root: root, split: file.split)
                categories = try merge(categories, part.categories, file: file.json)
                samples += part.samples
                problems += part.problems
            }
        case .yolo:
            (categories, samples, problems) = try YOLOReader.read(root: root, prober: prober, links: links)
        case .voc:
            (categories, samples, problems) = try VOCReader.read(root: root)
        case .imageFolder:
            (categories, samples, problems) = try ImageFolderFormat.read(root: root, prober: prober, links: links)
        }
        let provenance = try ProvenanceFile.read(root: root)
        let journaled = DatasetJournal.isPending(root)
        let resolvedOrigin = origin ?? (provenance.isEmpty && !journaled ? .real : .synthetic)
        for i in samples.indices {
            samples[i].provenance = provenance[samples[i].fileName] ?? provenance[samples[i].path]
        }
        var dataset = Dataset(
            name: name ?? FileIO.lastComponent(of: root), root: root, format: layout.format, origin: resolvedOrigin,
            categories: categories, samples: samples, problems: problems
        )
        // Commits appended since the files were last written whole (a job's, see DatasetJournal).
        if journaled, layout.format == .coco || layout.format == .imageFolder { try DatasetJournal.apply(to: &dataset) }
        for i in dataset.samples.indices { dataset.samples[i].origin = resolvedOrigin }
        return dataset
    }

    /// Writes `dataset` into `directory` as `format`. The folder must be new or empty, so nothing
    /// already there is overwritten. Returns notes about what the format could not hold.
    @discardableResult
    public static func write(_ dataset: Dataset, as format: DatasetFormat, to directory: String) throws(DatasetsError) -> [String] {
        if FileIO.isDirectory(directory), !((try? FileIO.list(directory)) ?? []).isEmpty {
            throw DatasetsError(.writeFailed, path: directory, "the folder is not empty; choose a new one so nothing is overwritten")
        }
        if FileIO.isFile(directory) { throw DatasetsError(.writeFailed, path: directory, "is a file") }
        try DatasetPaths.createDirectory(directory)
        switch format {
        case .coco: return try COCOWriter.write(dataset, to: directory)
        case .yolo: return try YOLOWriter.write(dataset, to: directory)
        case .imageFolder: return try ImageFolderFormat.write(dataset, to: directory)
        case .voc: throw DatasetsError(.writeFailed, path: directory, "Pascal VOC is read-only here; write coco, yolo or imagefolder")
        }
    }

    /// Writes bytes to a file atomically (the funnel other modules use for dataset files).
    public static func writeFile(_ bytes: [UInt8], to path: String) throws(DatasetsError) {
        do {
            try FileIO.writeAtomically(bytes, to: path)
        } catch {
            throw DatasetsError(.writeFailed, path: path, error.message)
        }
    }

    /// Categories of several COCO files of one dataset (train and val) must agree.
    private static func merge(_ a: [Category], _ b: [Category], file: String) throws(DatasetsError) -> [Category] {
        guard !a.isEmpty else { return b }
        var byID = Dictionary(uniqueKeysWithValues: a.map { ($0.id, $0) })
        for category in b {
            if let existing = byID[category.id], existing.name != category.name {
                throw DatasetsError(
                    .invalidValue, path: file,
                    "category \(category.id) is \"\(category.name)\" here but \"\(existing.name)\" in another split")
            }
            byID[category.id] = category
        }
        return byID.values.sorted { $0.id < $1.id }
    }
}
