internal import ImageIO
internal import StudioCore

/// Reads a YOLO dataset as Ultralytics lays it out: `data.yaml` (`path`, `train`, `val`, `test`,
/// `names`), images under the split folders, and for each image `labels/…/<stem>.txt` found by
/// replacing the last `images` folder of its path with `labels`.
///
/// Each label line is `class cx cy w h` (normalized to 0…1) or `class x0 y0 x1 y1 …` (a polygon).
/// A line with any other count of numbers, a class outside `names`, or a negative size is an error
/// naming the file and line.
public enum YOLOReader {
    static let yamlNames = ["data.yaml", "dataset.yaml"]
    static let splitKeys = ["train", "val", "test"]

    public static func read(root: String, prober: ImageProber = ImageProber(), links: LinkPolicy = .stayInside) throws(DatasetsError) -> (
        categories: [Category], samples: [Sample], problems: [DatasetsError]
    ) {
        guard let yamlName = yamlNames.first(where: { FileIO.isFile("\(root)/\($0)") }) else {
            throw DatasetsError(.unreadable, path: root, "no data.yaml in the folder")
        }
        let yamlPath = "\(root)/\(yamlName)"
        let yaml = try YAMLFields.parse(try DatasetPaths.readConfiguration(yamlPath), file: yamlPath)
        let fields = try yaml.dictionary()
        guard let namesField = fields["names"] else { throw yaml.error("missing \"names\" (the class names)") }
        let categories = try readNames(namesField)
        if let nc = fields["nc"], try nc.int() != categories.count {
            throw nc.error("nc is \(try nc.int()) but names lists \(categories.count) classes", code: .invalidValue)
        }
        // `path` is the dataset root as written on the machine that made data.yaml. Images are
        // looked up inside this folder, as COCO and VOC do: a `path` inside it is used, one that
        // points elsewhere (`/etc`, `../../..`, another machine's folder) is not followed.
        var base = root
        var problems: [DatasetsError] = []
        if let pathField = fields["path"], !pathField.isNull {
            let declared = try pathField.string()
            if !declared.hasPrefix("/"),
                let inside = try? DatasetPaths.contained(
                    declared.isEmpty ? "." : declared, under: root, root: root, file: yamlPath, field: "path"),
                FileIO.isDirectory("\(root)/\(inside)")
            {
                base = "\(root)/\(inside)"
            } else if declared != "." && !declared.isEmpty && DatasetPaths.normalized(declared) != root {
                problems.append(
                    DatasetsError(
                        .unsafePath, path: yamlPath, at: pathField.location,
                        "path \(declared) is not inside the dataset folder; images are looked up beside data.yaml"))
            }
        }

        var seen: Set<String> = []
        var listed: [(relative: String, split: String)] = []
        for key in splitKeys {
            guard let field = fields[key], !field.isNull else { continue }
            let entries = field.isSequence ? try field.sequence().map { e throws(DatasetsError) in try e.string() } : [try field.string()]
            for entry in entries {
                // A split entry names a folder or list inside the dataset, never one outside it.
                let relative = try DatasetPaths.contained(
                    entry, under: base, root: root, file: yamlPath, field: field.location)
                let location = "\(root)/\(relative)"
                let images = try imageList(location, root: root, field: field, links: links, problems: &problems)
                for relative in images where seen.insert(relative).inserted { listed.append((relative, key)) }
            }
        }
        let sizes = prober.sizes(of: listed.map { "\(root)/\($0.relative)" }, problems: &problems)
        var samples: [Sample] = []
        samples.reserveCapacity(listed.count)
        for (item, size) in zip(listed, sizes) {
            samples.append(try readSample(item.relative, root: root, split: item.split, size: size, classCount: categories.count))
        }
        if samples.isEmpty && !splitKeys.contains(where: { fields[$0] != nil }) {
            throw yaml.error("no \"train\", \"val\" or \"test\" entry names the images")
        }
        return (categories, samples, problems)
    }

    /// `names` as a list (`[person, car]`) or a mapping from index (`{0: person, 1: car}`).
    static func readNames(_ field: YAMLFields) throws(DatasetsError) -> [Category] {
        if field.isSequence {
            return try field.sequence().enumerated().map { (i, item) throws(DatasetsError) in Category(id: i, name: try item.string()) }
        }
        var categories: [Category] = []
        for (key, value) in try field.mapping() {
            guard let index = Int(key), index >= 0 else { throw value.error("class index \"\(key)\" is not a non-negative integer") }
            categories.append(Category(id: index, name: try value.string()))
        }
        categories.sort { $0.id < $1.id }
        guard categories.enumerated().allSatisfy({ $0.offset == $0.element.id }) else {
            throw field.error("class indices must run 0, 1, 2, … without gaps", code: .invalidValue)
        }
        return categories
    }

    /// Images of one split entry: a folder (searched recursively) or a `.txt` file listing images.
    private static func imageList(
        _ location: String, root: String, field: YAMLFields, links: LinkPolicy, problems: inout [DatasetsError]
    )
        throws(DatasetsError) -> [String]
    {
        if FileIO.isDirectory(location) {
            return try DatasetPaths.images(under: location, root: root, links: links, problems: &problems)
        }
        if location.hasSuffix(".txt"), FileIO.isFile(location) {
            let listDirectory = FileIO.parentDirectory(of: location)
            var out: [String] = []
            for (i, line) in DatasetPaths.lines(try DatasetPaths.readText(location)).enumerated() {
                let name = line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                guard !name.isEmpty else { continue }
                let relative = name.hasPrefix("./") ? String(name.dropFirst(2)) : name
                out.append(try DatasetPaths.contained(relative, under: listDirectory, root: root, file: location, field: ":\(i + 1)"))
            }
            return out
        }
        throw field.error("\(location) is neither a folder of images nor a .txt list of images", code: .unreadable)
    }

    private static func readSample(_ relative: String, root: String, split: String, size: (width: Int, height: Int), classCount: Int)
        throws(DatasetsError) -> Sample
    {
        var sample = Sample(path: relative, width: size.width, height: size.height, split: split)
        let labelPath = "\(root)/\(labelPath(forImage: relative))"
        guard FileIO.isFile(labelPath) else { return sample }  // an image without labels is a background image
        let text = try DatasetPaths.readText(labelPath)
        for (i, line) in DatasetPaths.lines(text).enumerated() {
            let tokens = line.split(whereSeparator: \.isWhitespace)
            if tokens.isEmpty { continue }
            let where_ = ":\(i + 1)"
            func fail(_ message: String) -> DatasetsError { DatasetsError(.invalidValue, path: labelPath, at: where_, message) }
            guard let cls = Int(tokens[0]) else { throw fail("class \"\(tokens[0])\" is not an integer") }
            guard cls >= 0, cls < classCount else {
                throw fail("class \(cls) is outside the \(classCount) names of data.yaml (0…\(classCount - 1))")
            }
            var numbers: [Double] = []
            for token in tokens.dropFirst() {
                guard let v = Double(token), v.isFinite else { throw fail("\"\(token)\" is not a number") }
                numbers.append(v)
            }
            let (w, h) = (Double(size.width), Double(size.height))
            if numbers.count == 4 {
                let (cx, cy, bw, bh) = (numbers[0], numbers[1], numbers[2], numbers[3])
                guard bw >= 0, bh >= 0 else { throw fail("box has a negative size") }
                sample.annotations.append(
                    Annotation(categoryID: cls, box: BoundingBox(x: (cx - bw / 2) * w, y: (cy - bh / 2) * h, width: bw * w, height: bh * h))
                )
            } else if numbers.count >= 6, numbers.count % 2 == 0 {
                let polygon = numbers.enumerated().map { $0.offset % 2 == 0 ? $0.element * w : $0.element * h }
                let mask = Mask.polygons([polygon])
                sample.annotations.append(Annotation(categoryID: cls, box: mask.boundingBox, mask: mask))
            } else {
                throw fail("expected 5 values (class cx cy w h) or a polygon (class x0 y0 x1 y1 x2 y2 …), found \(tokens.count)")
            }
        }
        return sample
    }

    /// Ultralytics' rule: the last `images` folder of the path becomes `labels`, the extension `.txt`.
    static func labelPath(forImage relative: String) -> String {
        var parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if let i = parts.dropLast().lastIndex(of: "images") { parts[i] = "labels" }
        let name = parts.removeLast()
        let stem = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        parts.append(stem + ".txt")
        return parts.joined(separator: "/")
    }
}
