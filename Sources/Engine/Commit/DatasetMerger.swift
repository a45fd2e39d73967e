internal import Datasets
internal import Foundation

/// Joins the synthetic datasets written by the shards of one job (`--shard k/n`, each with the
/// units `i ≡ k mod n`) into one dataset equal to what a single run writes: samples in name order,
/// the shards' common class list (a generator's fixed list, so YOLO ids are those of every shard),
/// or — when the shards' lists differ — classes numbered by first appearance in name order; every
/// file written atomically.
public enum DatasetMerger {
    /// Merges `shards` (dataset folders) into `output` (created; must be new or empty).
    /// - Returns: the number of images merged.
    @discardableResult
    public static func merge(_ shards: [String], into output: String) throws(EngineError) -> Int {
        guard !shards.isEmpty else { throw EngineError(.invalidSpec, "give at least one shard dataset to merge") }
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: output), !existing.isEmpty {
            throw EngineError(.commitFailed, "\(output) is not empty; merge into a new folder so nothing is overwritten")
        }
        var entries: [(sample: Sample, source: String, names: [Int: Category], shard: String)] = []
        var seen: [String: String] = [:]
        var lists: [[String]] = []
        for shard in shards {
            let dataset: Dataset
            do {
                dataset = try DatasetIO.read(shard, format: .coco, origin: .synthetic)
            } catch {
                throw EngineError(.commitFailed, "cannot read the shard \(shard): \(error.description)")
            }
            let names = dataset.categoriesByID
            lists.append(dataset.categories.sorted { $0.id < $1.id }.map(\.name))
            for sample in dataset.samples {
                if let other = seen[sample.path] {
                    throw EngineError(.commitFailed, "\(sample.path) is in both \(other) and \(shard): shards of one job never overlap")
                }
                seen[sample.path] = shard
                entries.append((sample, dataset.imagePath(of: sample), names, dataset.root))
            }
        }
        entries.sort { $0.sample.path.utf8.lexicographicallyPrecedes($1.sample.path.utf8) }
        var categories: [Category] = []
        var idOf: [String: Int] = [:]
        func add(_ name: String) {
            guard idOf[name] == nil else { return }
            idOf[name] = categories.count + 1
            categories.append(Category(id: categories.count + 1, name: name))
        }
        if let first = lists.first, lists.allSatisfy({ $0 == first }) { first.forEach(add) }
        var samples: [Sample] = []
        for entry in entries {
            var sample = entry.sample
            for i in sample.annotations.indices {
                let name = entry.names[sample.annotations[i].categoryID]?.name ?? "category \(sample.annotations[i].categoryID)"
                add(name)
                sample.annotations[i].categoryID = idOf[name]!
            }
            samples.append(sample)
        }
        for list in lists { list.forEach(add) }
        let merged = Dataset(
            name: (output as NSString).lastPathComponent, root: output, format: .coco, origin: .synthetic, categories: categories,
            samples: samples)
        let indexOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.id, $0) })
        do {
            try FileManager.default.createDirectory(atPath: "\(output)/\(COCOWriter.imageFolder)", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(output)/labels", withIntermediateDirectories: true)
        } catch {
            throw EngineError(.commitFailed, "cannot create \(output): \(error)")
        }
        do throws(DatasetsError) {
            for (entry, sample) in zip(entries, samples) {
                let data = FileManager.default.contents(atPath: entry.source) ?? Data()
                try DatasetIO.writeFile(Array(data), to: "\(output)/\(sample.path)")
                // Per-image maps beside the images (masks/, depth/): same name, same folder.
                let map = ImageMaps.fileName(forImage: sample.fileName)
                for folder in extraFolders(entry.shard) {
                    let source = "\(entry.shard)/\(folder)/\(map)"
                    guard let extra = FileManager.default.contents(atPath: source) else { continue }
                    try? FileManager.default.createDirectory(atPath: "\(output)/\(folder)", withIntermediateDirectories: true)
                    try DatasetIO.writeFile(Array(extra), to: "\(output)/\(folder)/\(map)")
                }
                try DatasetIO.writeFile(
                    Array(YOLOWriter.labelText(sample, indexOf: indexOf).utf8),
                    to: "\(output)/\(YOLOWriter.labelPath(forImage: sample.path))")
            }
            try YOLOWriter.writeDataYAML(categories: categories, folders: [("train", COCOWriter.imageFolder)], to: output)
            try DatasetJournal.writeWhole(merged, to: output)
        } catch {
            throw EngineError(.commitFailed, error.description)
        }
        return samples.count
    }

    /// Folders of a dataset that hold one file per image besides `images/` and `labels/`.
    private static func extraFolders(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && !["images", "labels"].contains(name)
                && FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }
}
