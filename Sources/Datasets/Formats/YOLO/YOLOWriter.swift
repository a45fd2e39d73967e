internal import ImageIO
internal import StudioCore
internal import Yams

/// Writes a dataset in Ultralytics' YOLO layout: `data.yaml`, `images/<split>/`, `labels/<split>/`.
///
/// Class indices are the categories in id order, renumbered 0…n-1. Samples without a split go to
/// `train`. Boxes are written normalized with six decimals; labels without a box cannot be
/// represented and are counted in the returned notes.
public enum YOLOWriter {
    @discardableResult
    public static func write(_ dataset: Dataset, to directory: String) throws(DatasetsError) -> [String] {
        let categories = dataset.categories.sorted { $0.id < $1.id }
        let indexOf = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.id, $0) })
        var names = ExportNames()
        var splits: [String] = []
        var boxless = 0
        var provenance: [(fileName: String, provenance: String)] = []
        for sample in dataset.samples {
            let split = sample.split.map(sanitizedSplit) ?? "train"
            if !splits.contains(split) { splits.append(split) }
            let imageName = names.name(for: sample, in: "images/\(split)")
            try DatasetPaths.createDirectory("\(directory)/images/\(split)")
            try DatasetPaths.createDirectory("\(directory)/labels/\(split)")
            try DatasetPaths.copy(dataset.imagePath(of: sample), to: "\(directory)/\(imageName)")
            if let line = sample.provenance { provenance.append((imageName, line)) }
            var lines = ""
            let (w, h) = (Double(max(sample.width, 1)), Double(max(sample.height, 1)))
            for annotation in sample.annotations where !annotation.isIgnored {
                guard let box = annotation.box, let cls = indexOf[annotation.categoryID] else {
                    boxless += 1
                    continue
                }
                lines += line(cls, box, width: w, height: h)
            }
            try DatasetPaths.writeAtomically(lines, to: "\(directory)/\(YOLOReader.labelPath(forImage: imageName))")
        }
        try ProvenanceFile.write(provenance, root: directory)
        var folders: [(key: String, folder: String)] = []
        for split in splits.sorted(by: { order($0) < order($1) }) {
            let key = ["train", "val", "test"].contains(split) ? split : "train"
            if !folders.contains(where: { $0.key == key }) { folders.append((key, "images/\(split)")) }
        }
        try writeDataYAML(categories: categories, folders: folders, to: directory)
        var notes: [String] = []
        if boxless > 0 { notes.append("\(boxless) label(s) without a box were left out: YOLO detection labels need boxes") }
        let odd = splits.filter { !["train", "val", "test"].contains($0) }
        if !odd.isEmpty {
            notes.append("split(s) \(odd.joined(separator: ", ")) have no data.yaml key; their images are under images/ but not listed")
        }
        return notes
    }

    /// Writes `data.yaml` atomically: `path: .`, a key per split folder, `nc` and `names`
    /// (`categories` in class-index order).
    public static func writeDataYAML(categories: [Category], folders: [(key: String, folder: String)], to directory: String)
        throws(DatasetsError)
    {
        var pairs: [(Node, Node)] = [("path", ".")]
        for (key, folder) in folders { pairs.append((Node(key), Node(folder))) }
        pairs.append(("nc", Node(String(categories.count), Tag(.int))))
        pairs.append(("names", Node(categories.enumerated().map { (Node(String($0.offset), Tag(.int)), Node($0.element.name)) })))
        let yaml: String
        do {
            yaml = try Yams.serialize(node: Node(pairs), allowUnicode: true)
        } catch {
            throw DatasetsError(.writeFailed, path: "\(directory)/data.yaml", "cannot write YAML: \(error)")
        }
        try DatasetPaths.writeAtomically(yaml, to: "\(directory)/data.yaml")
    }

    /// One label line: `class cx cy w h`, normalized, six decimals.
    static func line(_ cls: Int, _ box: BoundingBox, width w: Double, height h: Double) -> String {
        let values = [(box.x + box.width / 2) / w, (box.y + box.height / 2) / h, box.width / w, box.height / h]
        return "\(cls) " + values.map(format6).joined(separator: " ") + "\n"
    }

    /// The label file of one sample, classes numbered by `indexOf` (category id → class index).
    public static func labelText(_ sample: Sample, indexOf: [Int: Int]) -> String {
        let (w, h) = (Double(max(sample.width, 1)), Double(max(sample.height, 1)))
        // YOLO has no ignore regions: they are left out.
        return sample.annotations.filter { !$0.isIgnored }.compactMap { a in
            a.box.flatMap { box in indexOf[a.categoryID].map { line($0, box, width: w, height: h) } }
        }.joined()
    }

    /// The YOLO label path of an image path (`images/x.png` → `labels/x.txt`).
    public static func labelPath(forImage relative: String) -> String { YOLOReader.labelPath(forImage: relative) }

    private static func format6(_ v: Double) -> String {
        let scaled = (v * 1_000_000).rounded()
        let negative = scaled < 0
        let magnitude = Int(abs(scaled))
        let fraction = String(magnitude % 1_000_000)
        return "\(negative ? "-" : "")\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    private static func order(_ split: String) -> Int { ["train": 0, "val": 1, "test": 2][split] ?? 3 }

    /// Split names become folder names: keep them to one safe path component.
    private static func sanitizedSplit(_ split: String) -> String {
        let cleaned = String(
            split.unicodeScalars.map {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_"
            })
        return cleaned.isEmpty ? "train" : cleaned
    }
}
