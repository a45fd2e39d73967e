internal import ImageIO
internal import StudioCore

/// Writes a dataset in SynthStudio's COCO layout: `annotations.json` + `images/` (+ `provenance.jsonl`).
///
/// Images are copied byte for byte; every file is written atomically, the annotation file last,
/// so a reader never sees labels for an image that is not there yet.
public enum COCOWriter {
    public static let annotationFile = "annotations.json"
    public static let imageFolder = "images"

    /// Writes `dataset` into `directory` (created if needed). Returns notes about what the format
    /// could not hold.
    @discardableResult
    public static func write(_ dataset: Dataset, to directory: String) throws(DatasetsError) -> [String] {
        try DatasetPaths.createDirectory("\(directory)/\(imageFolder)")
        var names = ExportNames()
        var fileNames: [String] = []
        for sample in dataset.samples {
            let fileName = names.name(for: sample)
            try DatasetPaths.copy(dataset.imagePath(of: sample), to: "\(directory)/\(imageFolder)/\(fileName)")
            fileNames.append(fileName)
        }
        return try writeAnnotations(dataset, fileNames: fileNames, to: directory)
    }

    /// Writes `annotations.json` (and `provenance.jsonl`) for images already in `directory/images/`
    /// under `fileNames` (one per sample, in order). Both files are replaced atomically, the
    /// annotation file last: a reader sees the old dataset or the new one, whole.
    @discardableResult
    public static func writeAnnotations(_ dataset: Dataset, fileNames: [String], to directory: String) throws(DatasetsError) -> [String] {
        precondition(fileNames.count == dataset.samples.count, "one file name per sample")
        var images: [JSONValue] = []
        var annotations: [JSONValue] = []
        var provenance: [(fileName: String, provenance: String)] = []
        var boxless = 0
        for (index, sample) in dataset.samples.enumerated() {
            let fileName = fileNames[index]
            var image: [(String, JSONValue)] = [
                ("id", .int(index + 1)), ("file_name", .string(fileName)), ("width", .int(sample.width)), ("height", .int(sample.height)),
            ]
            if let split = sample.split { image.append(("split", .string(split))) }
            if !sample.attributes.isEmpty { image.append(("attributes", attributesJSON(sample.attributes))) }
            images.append(.object(image))
            if let line = sample.provenance { provenance.append((fileName, line)) }
            for annotation in sample.annotations {
                if annotation.box == nil { boxless += 1 }
                annotations.append(
                    annotationJSON(annotation, ids: [("id", .int(annotations.count + 1)), ("image_id", .int(index + 1))]))
            }
        }
        let categories: [JSONValue] = dataset.categories.map { category in
            var object: [(String, JSONValue)] = [("id", .int(category.id)), ("name", .string(category.name))]
            if let s = category.supercategory { object.append(("supercategory", .string(s))) }
            return .object(object)
        }
        let document = JSONValue.object([
            (
                "info",
                .object([
                    ("description", .string(dataset.name)), ("origin", .string(dataset.origin.rawValue)),
                    ("writer", .string("synthstudio")),
                ])
            ),
            ("images", .array(images)),
            ("annotations", .array(annotations)),
            ("categories", .array(categories)),
        ])
        try ProvenanceFile.write(provenance, root: directory)
        try DatasetPaths.writeAtomically(document.serialized() + "\n", to: "\(directory)/\(annotationFile)")
        return boxless > 0 ? ["\(boxless) image-level label(s) have no box; COCO keeps them as annotations without \"bbox\""] : []
    }

    /// One COCO annotation object: `ids` first (`id`, `image_id`), then `category_id`, `bbox`,
    /// `area`, `iscrowd`, `segmentation` and `attributes`.
    static func annotationJSON(_ annotation: Annotation, ids: [(String, JSONValue)]) -> JSONValue {
        var object = ids + [("category_id", JSONValue.int(annotation.categoryID))]
        if let box = annotation.box {
            object.append(("bbox", .array([.double(box.x), .double(box.y), .double(box.width), .double(box.height)])))
        }
        object.append(("area", .double(annotation.area)))
        object.append(("iscrowd", .int(annotation.isCrowd ? 1 : 0)))
        switch annotation.mask {
        case .polygons(let polygons)?:
            object.append(("segmentation", .array(polygons.map { .array($0.map { .double($0) }) })))
        case .rle(let rle)?:
            object.append(
                (
                    "segmentation",
                    .object([("size", .array([.int(rle.height), .int(rle.width)])), ("counts", .string(rle.compressedCounts))])
                ))
        case nil: break
        }
        if !annotation.attributes.isEmpty { object.append(("attributes", attributesJSON(annotation.attributes))) }
        return .object(object)
    }

    static func attributesJSON(_ attributes: [String: String]) -> JSONValue {
        .object(attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }
}
