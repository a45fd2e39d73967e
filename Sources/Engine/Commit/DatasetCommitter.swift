public import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Moves whole units from a staging folder into a synthetic dataset
/// (`annotations.json` + `images/` + `labels/` + `data.yaml` + `provenance.jsonl`).
///
/// Order, for a process that can be killed at any instant: images are renamed into `images/`,
/// then YOLO labels and `data.yaml`, then `provenance.jsonl`, then `annotations.json` — each
/// file replaced atomically, the COCO file last. Killed before the end, the dataset is still
/// valid (the old annotation file, plus image files it does not reference yet); the units that
/// were not yet referenced are committed again on resume, byte for byte the same.
///
/// With the `.imageFolder` layout (GAN samples: one class per image) images go to
/// `<class>/<name>` and `provenance.jsonl` is the only other file, rewritten last.
public struct DatasetCommitter: Sendable {
    public enum Layout: Sendable {
        /// `images/` + `annotations.json` + YOLO `labels/` + `data.yaml`.
        case coco
        /// `<class>/<image>`, each unit's first annotation naming its class.
        case imageFolder
    }

    /// The dataset folder.
    public let root: String
    public let layout: Layout

    public init(root: String, layout: Layout = .coco) {
        self.root = root
        self.layout = layout
    }

    /// Where a unit's image lands, relative to the dataset root.
    func path(of unit: GeneratedUnit) throws(EngineError) -> String {
        switch layout {
        case .coco: return "\(COCOWriter.imageFolder)/\(unit.name)"
        case .imageFolder:
            guard let category = unit.annotations.first?.category else {
                throw EngineError(.badUnit, "unit \(unit.index) has no class, which an ImageFolder needs")
            }
            return "\(ImageFolderFormat.folderName(category))/\(unit.name)"
        }
    }

    /// Commits the complete units in `units` (folders), in index order; returns their indices.
    /// The unit folders are removed once committed.
    @discardableResult
    public func commit(units folders: [String]) throws(EngineError) -> [Int] {
        var units: [(folder: String, unit: GeneratedUnit)] = []
        for folder in folders { units.append((folder, try GeneratedUnit.read(folder: folder))) }
        units.sort { $0.unit.index < $1.unit.index }
        guard !units.isEmpty else { return [] }
        var dataset = try existing()
        do {
            try FileIO.createDirectory(root)
            if layout == .coco {
                try FileIO.createDirectory("\(root)/\(COCOWriter.imageFolder)")
                try FileIO.createDirectory("\(root)/labels")
            }
        } catch {
            throw EngineError(.commitFailed, "cannot create \(root): \(error.message)")
        }
        var idOf = Dictionary(uniqueKeysWithValues: dataset.categories.map { ($0.name, $0.id) })
        var byPath = Dictionary(uniqueKeysWithValues: dataset.samples.enumerated().map { ($1.path, $0) })
        var newPaths: Set<String> = []
        for (folder, unit) in units {
            let path = try path(of: unit)
            newPaths.insert(path)
            let staged = "\(folder)/\(unit.imageFile)"
            if FileManager.default.fileExists(atPath: staged) {
                try? FileManager.default.createDirectory(
                    atPath: FileIO.parentDirectory(of: "\(root)/\(path)"), withIntermediateDirectories: true)
                if rename(staged, "\(root)/\(path)") != 0 {
                    throw EngineError(.commitFailed, "cannot move \(staged) into \(root): \(String(cString: strerror(errno)))")
                }
            } else if !FileManager.default.fileExists(atPath: "\(root)/\(path)") {
                // Neither staged nor moved by an earlier, interrupted commit.
                throw EngineError(.badUnit, "\(folder): the image is missing")
            }
            for (extraFolder, file) in unit.extras.sorted(by: { $0.key < $1.key }) {
                let target = "\(root)/\(extraFolder)/\(unit.name)"
                try? FileManager.default.createDirectory(atPath: "\(root)/\(extraFolder)", withIntermediateDirectories: true)
                if FileManager.default.fileExists(atPath: "\(folder)/\(file)"), rename("\(folder)/\(file)", target) != 0 {
                    throw EngineError(.commitFailed, "cannot move \(folder)/\(file) into \(root): \(String(cString: strerror(errno)))")
                }
            }
            var annotations: [Annotation] = []
            for (category, annotation) in unit.annotations {
                if idOf[category] == nil {
                    let id = (dataset.categories.map(\.id).max() ?? 0) + 1
                    dataset.categories.append(Category(id: id, name: category))
                    idOf[category] = id
                }
                var a = annotation
                a.categoryID = idOf[category]!
                annotations.append(a)
            }
            let sample = Sample(
                path: path, width: unit.width, height: unit.height, origin: .synthetic, provenance: unit.provenance,
                attributes: unit.attributes, annotations: annotations)
            if let i = byPath[path] {
                dataset.samples[i] = sample
            } else {
                byPath[path] = dataset.samples.count
                dataset.samples.append(sample)
            }
        }
        dataset.samples.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        try writeFiles(dataset, newPaths: newPaths)
        for (folder, _) in units { try? FileManager.default.removeItem(atPath: folder) }
        return units.map(\.unit.index)
    }

    /// The dataset as committed so far (empty when the folder has no annotation file yet).
    public func existing() throws(EngineError) -> Dataset {
        let format: DatasetFormat = layout == .coco ? .coco : .imageFolder
        let started =
            layout == .coco ? FileManager.default.fileExists(atPath: "\(root)/\(COCOWriter.annotationFile)") : FileIO.isDirectory(root)
        guard started else {
            return Dataset(name: FileIO.lastComponent(of: root), root: root, format: format, origin: .synthetic)
        }
        do {
            return try DatasetIO.read(root, format: format, origin: .synthetic)
        } catch {
            throw EngineError(.commitFailed, "the dataset \(root) cannot be read: \(error.description)")
        }
    }

    private func writeFiles(_ dataset: Dataset, newPaths: Set<String>) throws(EngineError) {
        let categories = dataset.categories.sorted { $0.id < $1.id }
        let indexOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.id, $0) })
        do {
            if layout == .imageFolder {
                try ImageFolderFormat.writeProvenance(dataset, to: root)
                return
            }
            for sample in dataset.samples where newPaths.contains(sample.path) {
                try FileIO.writeAtomically(
                    Array(YOLOWriter.labelText(sample, indexOf: indexOf).utf8), to: "\(root)/\(YOLOWriter.labelPath(forImage: sample.path))"
                )
            }
            try YOLOWriter.writeDataYAML(categories: categories, folders: [("train", COCOWriter.imageFolder)], to: root)
            try COCOWriter.writeAnnotations(dataset, fileNames: dataset.samples.map(\.fileName), to: root)
        } catch let error as ImageIOError {
            throw EngineError(.commitFailed, "cannot write \(error.path ?? root): \(error.message)")
        } catch let error as DatasetsError {
            throw EngineError(.commitFailed, error.description)
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
    }
}
