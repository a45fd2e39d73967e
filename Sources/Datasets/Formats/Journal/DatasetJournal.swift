internal import Foundation
internal import ImageIO
internal import StudioCore

/// Commits appended to a synthetic dataset since its files were last written whole:
/// `.journal.jsonl` beside `annotations.json` (COCO) or the class folders (ImageFolder).
///
/// A job commits a batch of images by appending one line per image (its labels, attributes and
/// provenance) and, when the class list grows, one line of categories — a cost that does not grow
/// with the dataset. `compact` folds the journal into `annotations.json` and `provenance.jsonl`
/// (at the end of a job, and with `synthstudio dataset compact`); until then `annotations.json`
/// is the valid dataset as of the last compaction, and our readers (`DatasetIO.read`) apply the
/// journal on top. The append is the commit point: a process killed mid-append leaves a torn last
/// line, which readers ignore and the next append cuts off.
///
/// ```
/// {"categories":[{"id":1,"name":"pedestrian"}]}
/// {"path":"images/street-5f3a9c2e71b0-000007.png","width":320,"height":240,"attributes":{…},
///  "annotations":[{"category_id":1,"bbox":[…],"area":…,"iscrowd":0,"segmentation":{…}}],
///  "provenance":"{…}"}
/// ```
public enum DatasetJournal {
    public static let fileName = ".journal.jsonl"

    /// The journal of the dataset in `root`.
    public static func path(_ root: String) -> String { "\(root)/\(fileName)" }

    /// Appends categories first (those new to the dataset), then samples, in one write, flushed.
    /// A torn tail left by an earlier, killed append is cut first.
    public static func append(_ samples: [Sample], newCategories: [Category] = [], to root: String) throws(DatasetsError) {
        guard !samples.isEmpty || !newCategories.isEmpty else { return }
        var text = ""
        if !newCategories.isEmpty {
            text += JSONValue.object([("categories", .array(newCategories.map(categoryJSON)))]).serialized() + "\n"
        }
        for sample in samples { text += sampleJSON(sample).serialized() + "\n" }
        let file = path(root)
        do {
            try cutTornTail(file)
            try FileIO.append(Array(text.utf8), to: file)
        } catch {
            throw DatasetsError(.writeFailed, path: file, error.message)
        }
    }

    /// What the journal holds: categories and samples in the order appended. Nil when there is no
    /// journal. A last line without its newline (a killed append) is ignored; any other line that
    /// is not a journal entry is an error naming it.
    static func read(root: String) throws(DatasetsError) -> (categories: [Category], samples: [Sample])? {
        let file = path(root)
        guard FileIO.isFile(file) else { return nil }
        let bytes = try DatasetPaths.read(file)
        var categories: [Category] = []
        var samples: [Sample] = []
        var lineNumber = 0
        var start = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            lineNumber += 1
            let line = Array(bytes[start..<newline])
            start = newline + 1
            guard !line.isEmpty else { continue }
            let json = try JSONFields.parse(line, file: "\(file):\(lineNumber)")
            if json.has("categories") {
                for object in try json.objects("categories") {
                    categories.append(Category(id: try object.int("id"), name: try object.string("name")))
                }
                continue
            }
            samples.append(try sample(json))
        }
        return (categories, samples)
    }

    /// `dataset` with the journal applied: its categories added (by id) and its samples added
    /// unless the files already list them (a compaction killed before it removed the journal).
    static func apply(to dataset: inout Dataset) throws(DatasetsError) {
        guard let journal = try read(root: dataset.root) else { return }
        var names = Dictionary(dataset.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        if dataset.format == .imageFolder {
            // An ImageFolder's classes are its folders, numbered in name order, so a class folder
            // added later renumbers those after it: the journal's ids mean nothing here, its
            // names do. A class it names that has no folder yet keeps a fresh id.
            for category in journal.categories where !dataset.categories.contains(where: { $0.name == category.name }) {
                dataset.categories.append(Category(id: (dataset.categories.map(\.id).max() ?? -1) + 1, name: category.name))
            }
            names = [:]
        }
        for category in journal.categories where dataset.format != .imageFolder {
            if let name = names[category.id] {
                guard name == category.name else {
                    throw DatasetsError(
                        .invalidValue, path: path(dataset.root),
                        "category \(category.id) is \"\(category.name)\" in the journal but \"\(name)\" in the dataset")
                }
                continue
            }
            names[category.id] = category.name
            dataset.categories.append(category)
        }
        switch dataset.format {
        case .imageFolder:
            // The images are the class folders' files; the journal holds their provenance.
            let index = Dictionary(dataset.samples.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { a, _ in a })
            for sample in journal.samples {
                guard let i = index[sample.path], dataset.samples[i].provenance == nil else { continue }
                dataset.samples[i].provenance = sample.provenance
            }
        default:
            var known = Set(dataset.samples.map(\.path))
            for sample in journal.samples where known.insert(sample.path).inserted { dataset.samples.append(sample) }
        }
    }

    /// Folds the journal of the dataset in `root` into its files — `annotations.json` (samples in
    /// path order, images numbered in that order) and `provenance.jsonl` for COCO,
    /// `provenance.jsonl` for an ImageFolder — each written atomically, then removes it. The
    /// result is the same whatever batches the commits came in. False when there was no journal.
    @discardableResult
    public static func compact(_ root: String, format: DatasetFormat) throws(DatasetsError) -> Bool {
        guard isPending(root) else { return false }
        let dataset = try DatasetIO.read(root, format: format, origin: .synthetic)
        try writeWhole(dataset, to: root)
        do {
            try FileIO.remove(path(root))
        } catch {
            throw DatasetsError(.writeFailed, path: path(root), error.message)
        }
        return true
    }

    /// Writes a synthetic dataset's metadata files whole for images already in place under
    /// `root`: samples sorted by path, categories by id. What compaction and the merging of shards
    /// both write, so a job split any way ends in the same bytes.
    public static func writeWhole(_ dataset: Dataset, to root: String) throws(DatasetsError) {
        var sorted = dataset
        sorted.samples.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        sorted.categories.sort { $0.id < $1.id }
        switch dataset.format {
        case .imageFolder: try ImageFolderFormat.writeProvenance(sorted, to: root)
        default: try COCOWriter.writeAnnotations(sorted, fileNames: sorted.samples.map(\.fileName), to: root)
        }
    }

    /// Whether the dataset in `root` has commits not yet folded into its files.
    public static func isPending(_ root: String) -> Bool { FileIO.isFile(path(root)) }

    /// Cuts everything after the last newline (a torn line of a killed append).
    private static func cutTornTail(_ file: String) throws(ImageIOError) {
        guard let status = FileIO.status(file), status.size > 0 else { return }
        let tail = try FileIO.readTail(file, count: min(status.size, 1 << 20))
        guard tail.last != 0x0A else { return }
        guard let newline = tail.lastIndex(of: 0x0A) else {
            // No newline in the last mebibyte: the whole tail is one torn line (or the file is).
            try FileIO.truncate(file, to: status.size > tail.count ? status.size - tail.count : 0)
            return
        }
        try FileIO.truncate(file, to: status.size - (tail.count - newline - 1))
    }

    // MARK: Lines

    static func categoryJSON(_ category: Category) -> JSONValue {
        .object([("id", .int(category.id)), ("name", .string(category.name))])
    }

    static func sampleJSON(_ sample: Sample) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("path", .string(sample.path)), ("width", .int(sample.width)), ("height", .int(sample.height)),
        ]
        if let split = sample.split { members.append(("split", .string(split))) }
        if !sample.attributes.isEmpty { members.append(("attributes", COCOWriter.attributesJSON(sample.attributes))) }
        members.append(("annotations", .array(sample.annotations.map { COCOWriter.annotationJSON($0, ids: []) })))
        if let provenance = sample.provenance { members.append(("provenance", .string(provenance))) }
        return .object(members)
    }

    private static func sample(_ json: JSONFields) throws(DatasetsError) -> Sample {
        let path = try json.string("path")
        guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw json.error("path", "\"\(path)\" must stay inside the dataset folder", code: .unsafePath)
        }
        let width = try json.int("width"), height = try json.int("height")
        guard width >= 0, height >= 0 else { throw json.error("width", "image size \(width)×\(height) is negative", code: .invalidValue) }
        var sample = Sample(
            path: path, width: width, height: height, split: try json.optionalString("split"), origin: .synthetic,
            provenance: try json.optionalString("provenance"), attributes: try json.attributes("attributes"))
        for object in try json.objects("annotations") {
            sample.annotations.append(
                try COCOReader.annotation(object, categoryID: try object.int("category_id"), width: width, height: height))
        }
        return sample
    }
}
