public import Catalog
public import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Moves whole units from a staging folder into a synthetic dataset, for one writer at a time,
/// at a cost that does not grow with the dataset.
///
/// Opening takes the dataset's lock (`<dataset>/.lock`: a job and a `synthstudio render` into the
/// same folder never interleave) and reads the dataset once: the image names it holds and its
/// class list. A commit then, for its batch: moves each unit's image and extras into place (never
/// over another file), writes its YOLO label, appends the batch to the dataset's journal — the
/// commit point — and records the new samples in the catalog directly (`Catalog.append`). Killed
/// at any instant, the dataset is valid: images not yet journaled are orphans the next commit of
/// the same unit adopts (their names say which unit they are), a torn journal line is ignored.
/// `compact` folds the journal into `annotations.json` and `provenance.jsonl` (at the end of a job).
///
/// Layouts: COCO (`images/`, `labels/`, `data.yaml`, `annotations.json` + journal, `masks/`,
/// `depth/`), or an ImageFolder (`<class>/<image>`, provenance in the journal) for GAN samples.
public final class DatasetCommitter {
    public enum Layout: Sendable {
        /// `images/` + `annotations.json` + YOLO `labels/` + `data.yaml`.
        case coco
        /// `<class>/<image>`, each unit's first annotation naming its class.
        case imageFolder

        public var format: DatasetFormat { self == .coco ? .coco : .imageFolder }
    }

    /// Where the catalog entry of the dataset is kept up to date.
    public struct CatalogBinding {
        public let catalog: Catalog
        public let workspace: Workspace
        /// The dataset's name in the workspace.
        public let dataset: String

        public init(catalog: Catalog, workspace: Workspace, dataset: String) {
            self.catalog = catalog
            self.workspace = workspace
            self.dataset = dataset
        }
    }

    /// A unit that could not be committed, and why; it was moved out of the staging area.
    public struct Rejected: Sendable {
        public let unit: String
        public let reason: String
    }

    /// The dataset folder.
    public let root: String
    public let layout: Layout
    private let lock: FileLock
    private let binding: CatalogBinding?
    /// The dataset's categories, in id order of creation.
    public private(set) var categories: [Category]
    /// File names of the images the dataset holds.
    public private(set) var names: Set<String>
    /// Ids of the categories the dataset's files hold (the rest go into the next journal line).
    private var recorded: Set<Int>
    /// How many classes `data.yaml` lists (as written by the dataset's last writer).
    private var yamlClasses: Int
    /// Whether the catalog's entry matches the folder, so commits can be appended to it.
    private var catalogCurrent = false

    /// Opens the dataset in `root` (created at the first commit) for writing. `classes` is the
    /// generator's class list: categories the dataset lacks are added in that order, after those
    /// it has, so class ids never change once given.
    public init(root: String, layout: Layout, classes: [String]? = nil, catalog: CatalogBinding? = nil) throws(EngineError) {
        self.root = root
        self.layout = layout
        binding = catalog
        do {
            try FileIO.createDirectory(root)
            guard let lock = try FileLock.acquire("\(root)/.lock") else { throw EngineError(.commitFailed, "cannot lock \(root)") }
            self.lock = lock
        } catch let error as ImageIOError {
            throw EngineError(.commitFailed, "cannot open \(root) for writing: \(error.message)")
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
        let existing = try Self.read(root, layout: layout)
        categories = existing.categories
        recorded = Set(existing.categories.map(\.id))
        yamlClasses = existing.categories.count
        names = Set(existing.samples.map(\.fileName))
        for name in classes ?? [] where !categories.contains(where: { $0.name == name }) {
            categories.append(Category(id: (categories.map(\.id).max() ?? 0) + 1, name: name))
        }
        if let binding {
            do {
                catalogCurrent = try binding.catalog.isCurrent(binding.dataset, root: root)
                if !catalogCurrent, FileIO.isFile("\(root)/\(COCOWriter.annotationFile)") || layout == .imageFolder,
                    !existing.samples.isEmpty
                {
                    try refreshCatalog()
                }
            } catch let error as EngineError {
                throw error
            } catch {
                throw EngineError(.commitFailed, "catalog: \(error)")
            }
        }
    }

    deinit { withExtendedLifetime(lock) {} }

    /// The dataset as committed so far (empty when the folder holds nothing yet).
    static func read(_ root: String, layout: Layout) throws(EngineError) -> Dataset {
        let visible = ((try? FileIO.list(root)) ?? []).filter { !$0.name.hasPrefix(".") }
        let started = layout == .coco ? FileIO.isFile("\(root)/\(COCOWriter.annotationFile)") : !visible.isEmpty
        guard started else {
            return Dataset(name: FileIO.lastComponent(of: root), root: root, format: layout.format, origin: .synthetic)
        }
        do {
            return try DatasetIO.read(root, format: layout.format, origin: .synthetic)
        } catch {
            throw EngineError(.commitFailed, "the dataset \(root) cannot be read: \(error.description)")
        }
    }

    /// Whether an image of this name is in the dataset.
    public func contains(_ name: String) -> Bool { names.contains(name) }

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

    /// What one commit did.
    public struct Outcome: Sendable {
        /// Units now in the dataset (including any that already were), in index order.
        public var committed: [GeneratedUnit] = []
        /// Those this commit added.
        public var added: [GeneratedUnit] = []
        public var rejected: [Rejected] = []
    }

    /// Commits the unit folders in `folders`: the whole ones land, in index order, and their
    /// folders are removed; a damaged or colliding one is moved into `rejected` (when given) with
    /// the reason, and the others go on. With `naming`, every unit takes the name its job's key
    /// gives its index (an external worker's own names are only kept for their extension).
    @discardableResult
    public func commit(_ folders: [String], naming: UnitKey? = nil, rejectInto rejected: String? = nil) throws(EngineError) -> Outcome {
        var outcome = Outcome()
        var units: [(folder: String, unit: GeneratedUnit)] = []
        for folder in folders {
            do throws(EngineError) {
                var unit = try GeneratedUnit.read(folder: folder)
                if let naming {
                    let ext = unit.name.split(separator: ".").last.map(String.init) ?? "png"
                    unit.name = naming.name(unit.index, ext: UnitKey.safe(ext))
                }
                units.append((folder, unit))
            } catch {
                outcome.rejected.append(try reject(folder, error.message, into: rejected))
            }
        }
        units.sort { $0.unit.index < $1.unit.index }
        var samples: [Sample] = []
        var added: [FileStamp] = []
        var replaced: [(old: FileStamp?, new: FileStamp)] = []
        var landed: [(folder: String, unit: GeneratedUnit)] = []
        var batchNames: Set<String> = []
        for (folder, unit) in units {
            if names.contains(unit.name) || batchNames.contains(unit.name) {
                // Committed before (a resume after a kill between the journal and the clean-up).
                outcome.committed.append(unit)
                try? FileManager.default.removeItem(atPath: folder)
                continue
            }
            do throws(EngineError) {
                let moved = try place(unit, from: folder)
                added += moved
                batchNames.insert(unit.name)
                landed.append((folder, unit))
            } catch {
                outcome.rejected.append(try reject(folder, error.message, into: rejected))
            }
        }
        guard !landed.isEmpty else { return finish(outcome, landed: []) }
        let before = categories.count
        for (_, unit) in landed {
            for (category, _) in unit.annotations where !categories.contains(where: { $0.name == category }) {
                categories.append(Category(id: (categories.map(\.id).max() ?? 0) + 1, name: category))
            }
        }
        let idOf = Dictionary(categories.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        for (_, unit) in landed {
            let path = try path(of: unit)
            let annotations = unit.annotations.map { item -> Annotation in
                var a = item.annotation
                a.categoryID = idOf[item.category]!
                return a
            }
            samples.append(
                Sample(
                    path: path, width: unit.width, height: unit.height, origin: .synthetic, provenance: unit.provenance,
                    attributes: unit.attributes, annotations: annotations))
        }
        do {
            replaced += try writeClassFiles()
            if layout == .coco { added += try writeLabels(samples) }
            // The commit point: once these lines are in the journal, the units are in the dataset.
            try DatasetJournal.append(samples, newCategories: categories.filter { !recorded.contains($0.id) }, to: root)
            recorded.formUnion(categories.map(\.id))
        } catch let error as EngineError {
            throw error
        } catch let error as DatasetsError {
            throw EngineError(.commitFailed, error.description)
        } catch {
            throw EngineError(.commitFailed, "\(error)")
        }
        names.formUnion(batchNames)
        try recordInCatalog(samples, added: added, replaced: replaced, newClass: categories.count > before)
        outcome.committed += landed.map(\.unit)
        outcome.added = landed.map(\.unit)
        return finish(outcome, landed: landed)
    }

    private func finish(_ outcome: Outcome, landed: [(folder: String, unit: GeneratedUnit)]) -> Outcome {
        for (folder, _) in landed { try? FileManager.default.removeItem(atPath: folder) }
        var sorted = outcome
        sorted.committed.sort { $0.index < $1.index }
        return sorted
    }

    /// Moves a unit's image and extras into the dataset; the stamps of the files placed.
    private func place(_ unit: GeneratedUnit, from folder: String) throws(EngineError) -> [FileStamp] {
        var stamps: [FileStamp] = []
        let path = try path(of: unit)
        var moves = [(source: "\(folder)/\(unit.imageFile)", target: path, required: true)]
        for (extraFolder, file) in unit.extras.sorted(by: { $0.key < $1.key }) {
            moves.append(("\(folder)/\(file)", "\(extraFolder)/\(ImageMaps.fileName(forImage: unit.name))", false))
        }
        for move in moves {
            let target = "\(root)/\(move.target)"
            do {
                try FileIO.createDirectory(FileIO.parentDirectory(of: target))
                if FileIO.isFile(move.source) {
                    if try !FileIO.moveWithoutReplacing(move.source, to: target) {
                        // Already there: the same unit's file moved by a commit that was killed
                        // before its journal line, or another file that must not be replaced.
                        guard try FileIO.read(move.source) == FileIO.read(target) else {
                            throw EngineError(.badUnit, "\(move.target) already exists with other bytes; nothing is overwritten")
                        }
                        try FileIO.remove(move.source)
                    }
                } else if !FileIO.isFile(target) {
                    if move.required { throw EngineError(.badUnit, "the image \(unit.imageFile) is missing") }
                    continue
                }
            } catch let error as EngineError {
                throw error
            } catch let error as ImageIOError {
                throw EngineError(.commitFailed, "cannot move \(move.source) into \(root): \(error.message)")
            } catch {
                throw EngineError(.commitFailed, "\(error)")
            }
            if let stamp = FileStamp.of(move.target, in: root) { stamps.append(stamp) }
        }
        return stamps
    }

    /// Moves a bad unit's folder aside (or removes it) and says why.
    private func reject(_ folder: String, _ reason: String, into rejected: String?) throws(EngineError) -> Rejected {
        let name = FileIO.lastComponent(of: folder)
        if let rejected {
            try? FileIO.createDirectory(rejected)
            var target = "\(rejected)/\(name)"
            var n = 1
            while FileManager.default.fileExists(atPath: target) {
                n += 1
                target = "\(rejected)/\(name)-\(n)"
            }
            if rename(folder, target) != 0 { try? FileManager.default.removeItem(atPath: folder) }
        } else {
            try? FileManager.default.removeItem(atPath: folder)
        }
        return Rejected(unit: name, reason: reason)
    }

    /// The base `annotations.json` (classes, no images) of a new COCO dataset, and `data.yaml`
    /// when it does not list the class list as it now is; the stamps of the files rewritten.
    private func writeClassFiles() throws -> [(old: FileStamp?, new: FileStamp)] {
        guard layout == .coco else { return [] }
        var replaced: [(old: FileStamp?, new: FileStamp)] = []
        let sorted = categories.sorted { $0.id < $1.id }
        if !FileIO.isFile("\(root)/\(COCOWriter.annotationFile)") {
            let base = Dataset(name: FileIO.lastComponent(of: root), root: root, format: .coco, origin: .synthetic, categories: sorted)
            try DatasetJournal.writeWhole(base, to: root)
            recorded.formUnion(sorted.map(\.id))
            if let stamp = FileStamp.of(COCOWriter.annotationFile, in: root) { replaced.append((nil, stamp)) }
        }
        let yaml = "data.yaml"
        if yamlClasses != sorted.count || !FileIO.isFile("\(root)/\(yaml)") {
            let old = FileStamp.of(yaml, in: root)
            try YOLOWriter.writeDataYAML(categories: sorted, folders: [("train", COCOWriter.imageFolder)], to: root)
            yamlClasses = sorted.count
            if let stamp = FileStamp.of(yaml, in: root) { replaced.append((old, stamp)) }
        }
        return replaced
    }

    /// One YOLO label file per sample (class index = position in the id-ordered class list).
    private func writeLabels(_ samples: [Sample]) throws -> [FileStamp] {
        let indexOf = Dictionary(uniqueKeysWithValues: categories.sorted { $0.id < $1.id }.enumerated().map { ($1.id, $0) })
        var stamps: [FileStamp] = []
        for sample in samples {
            let path = YOLOWriter.labelPath(forImage: sample.path)
            try FileIO.createDirectory(FileIO.parentDirectory(of: "\(root)/\(path)"))
            try FileIO.writeAtomically(Array(YOLOWriter.labelText(sample, indexOf: indexOf).utf8), to: "\(root)/\(path)", durable: false)
            if let stamp = FileStamp.of(path, in: root) { stamps.append(stamp) }
        }
        return stamps
    }

    /// Appends the samples to the catalog's entry, or indexes the dataset when the entry does not
    /// match the folder (its first commit, a class folder of an ImageFolder added).
    private func recordInCatalog(_ samples: [Sample], added: [FileStamp], replaced: [(old: FileStamp?, new: FileStamp)], newClass: Bool)
        throws(EngineError)
    {
        guard let binding else { return }
        do {
            if catalogCurrent, !(layout == .imageFolder && newClass) {
                try binding.catalog.append(samples, categories: categories, to: binding.dataset, added: added, replaced: replaced)
            } else {
                try refreshCatalog()
            }
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.commitFailed, "catalog: \(error)")
        }
    }

    private func refreshCatalog() throws(EngineError) {
        guard let binding else { return }
        let report: RefreshReport
        do {
            report = try binding.catalog.refresh(binding.workspace, only: [binding.dataset])
        } catch {
            throw EngineError(.commitFailed, "catalog refresh: \(error.message)")
        }
        guard let own = report.entries.first(where: { $0.dataset == binding.dataset }) else {
            throw EngineError(
                .commitFailed, "catalog: the workspace's studio.yaml does not list the dataset \(binding.dataset.terminalSafe)")
        }
        if own.action == .failed {
            throw EngineError(.commitFailed, "catalog refresh: dataset \(binding.dataset): \(own.problem ?? "unreadable")")
        }
        catalogCurrent = true
    }

    /// Folds the journal into the dataset's files (see `DatasetJournal.compact`), keeping the
    /// catalog's entry in step. False when there was nothing to fold in.
    @discardableResult
    public func compact() throws(EngineError) -> Bool {
        let files = ["annotations.json", "provenance.jsonl"]
        let before = files.map { FileStamp.of($0, in: root) }
        let compacted: Bool
        do {
            compacted = try DatasetJournal.compact(root, format: layout.format)
        } catch {
            throw EngineError(.commitFailed, error.description)
        }
        guard compacted, let binding, catalogCurrent else { return compacted }
        let replaced = zip(before, files).compactMap { old, file in FileStamp.of(file, in: root).map { (old, $0) } }
        do {
            try binding.catalog.append([], categories: categories, to: binding.dataset, added: [], replaced: replaced)
        } catch {
            throw EngineError(.commitFailed, "catalog: \(error.message)")
        }
        return true
    }
}
