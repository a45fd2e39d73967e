internal import ImageIO
internal import StudioCore

/// Reads COCO instances JSON: images, annotations (boxes, polygons, RLE masks, `iscrowd`),
/// categories, and image- and annotation-level `attributes` objects.
///
/// Structure is checked strictly: a missing `images` key, a wrong type, a negative or non-finite
/// box, a `file_name` that leaves the dataset folder are errors naming the field. References are
/// checked too, and every annotation pointing at an unknown image or category is listed in one error.
public enum COCOReader {
    /// Reads one annotation file.
    /// - Parameters:
    ///   - file: the JSON file.
    ///   - imageDirectory: the folder `file_name`s are relative to.
    ///   - root: the dataset folder; sample paths are made relative to it and may not leave it.
    ///   - split: the split every image of this file belongs to, unless an image says otherwise.
    ///
    /// Duplicate annotation ids and keys repeated within one JSON object (a parser keeps the last
    /// silently) are returned as problems, for `validate` to report.
    public static func read(file: String, imageDirectory: String, root: String, split: String?) throws(DatasetsError) -> (
        categories: [Category], samples: [Sample], problems: [DatasetsError]
    ) {
        let bytes = try DatasetPaths.read(file)
        let json = try JSONFields.parse(bytes, file: file)
        var problems: [DatasetsError] = []
        if let duplicate = JSONDuplicateKeys.first(in: bytes) {
            problems.append(
                DatasetsError(
                    .invalidValue, path: file, at: ":\(duplicate.line)",
                    "the key \"\(duplicate.key.prefix(80))\" appears twice in one object; only the last value is read"))
        }
        let imageObjects = try json.objects("images")
        let annotationObjects = json.has("annotations") ? try json.objects("annotations") : []
        let categoryObjects = try json.objects("categories")

        var categories: [Category] = []
        var categoryIDs: Set<Int> = []
        for object in categoryObjects {
            let id = try object.int("id")
            guard categoryIDs.insert(id).inserted else { throw object.error("id", "category id \(id) appears twice", code: .invalidValue) }
            let name = try object.string("name")
            guard name.utf8.count <= DatasetLimits.className else {
                throw object.error(
                    "name", "a class name of \(name.utf8.count) bytes (the limit is \(DatasetLimits.className))", code: .invalidValue)
            }
            categories.append(Category(id: id, name: name, supercategory: try object.optionalString("supercategory")))
        }

        var samples: [Sample] = []
        var indexOfImage: [Int: Int] = [:]
        samples.reserveCapacity(imageObjects.count)
        for object in imageObjects {
            let id = try object.int("id")
            guard indexOfImage[id] == nil else { throw object.error("id", "image id \(id) appears twice", code: .invalidValue) }
            let name = try object.string("file_name")
            var path = try DatasetPaths.contained(name, under: imageDirectory, root: root, file: file, field: object.path("file_name"))
            // Some tools write file names relative to the dataset folder rather than the image folder.
            if !FileIO.isFile("\(root)/\(path)"), imageDirectory != root,
                let alternative = try? DatasetPaths.contained(name, under: root, root: root, file: file, field: ""),
                FileIO.isFile("\(root)/\(alternative)")
            {
                path = alternative
            }
            let width = try object.int("width"), height = try object.int("height")
            guard width >= 0, height >= 0 else {
                throw object.error("width", "image size \(width)×\(height) is negative", code: .invalidValue)
            }
            indexOfImage[id] = samples.count
            samples.append(
                Sample(
                    path: path, width: width, height: height,
                    split: try object.optionalString("split") ?? split,
                    attributes: try object.attributes("attributes")
                ))
        }

        var unknown: [String] = []
        var annotationIDs: Set<Int> = []
        var repeatedIDs: [Int] = []
        for object in annotationObjects {
            if let id = try object.optionalInt("id"), !annotationIDs.insert(id).inserted { repeatedIDs.append(id) }
            let imageID = try object.int("image_id"), categoryID = try object.int("category_id")
            guard let sampleIndex = indexOfImage[imageID] else {
                unknown.append("\(object.field) points at image \(imageID), which is not in \"images\"")
                continue
            }
            guard categoryIDs.contains(categoryID) else {
                unknown.append("\(object.field) has category \(categoryID), which is not in \"categories\"")
                continue
            }
            let sample = samples[sampleIndex]
            samples[sampleIndex].annotations.append(
                try annotation(object, categoryID: categoryID, width: sample.width, height: sample.height))
        }
        if !unknown.isEmpty {
            let shown = unknown.prefix(10).joined(separator: "; ")
            let more = unknown.count > 10 ? " (and \(unknown.count - 10) more)" : ""
            throw DatasetsError(.invalidValue, path: file, "\(unknown.count) annotation(s) refer to unknown ids: \(shown)\(more)")
        }
        if !repeatedIDs.isEmpty {
            problems.append(
                DatasetsError(
                    .invalidValue, path: file,
                    "\(repeatedIDs.count) annotation id(s) appear more than once (\(repeatedIDs.prefix(5).map(String.init).joined(separator: ", "))\(repeatedIDs.count > 5 ? ", …" : "")): tools that index annotations by id lose some"
                ))
        }
        return (categories, samples, problems)
    }

    /// One annotation object (`bbox`, `segmentation`, `iscrowd`, `attributes`) of an image of
    /// `width`×`height`; the box comes from the mask when it has none.
    static func annotation(_ object: JSONFields, categoryID: Int, width: Int, height: Int) throws(DatasetsError) -> Annotation {
        var box: BoundingBox?
        if object.has("bbox") {
            let numbers = try object.numbers("bbox")
            guard numbers.count == 4 else {
                throw object.error("bbox", "expected 4 numbers [x, y, width, height], found \(numbers.count)")
            }
            let candidate = BoundingBox(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
            guard candidate.isWellFormed else {
                throw object.error("bbox", "box \(candidate) has a negative or non-finite size", code: .invalidValue)
            }
            box = candidate
        }
        let mask = try readMask(object, width: width, height: height)
        if box == nil { box = mask?.boundingBox }
        let crowd = try object.optionalInt("iscrowd") ?? 0
        return Annotation(
            categoryID: categoryID, box: box, mask: mask, isCrowd: crowd != 0, attributes: try object.attributes("attributes"))
    }

    private static func readMask(_ object: JSONFields, width: Int, height: Int) throws(DatasetsError) -> Mask? {
        guard object.has("segmentation") else { return nil }
        let raw = object.values["segmentation"]!
        if let polygons = raw as? [Any] {
            if polygons.isEmpty { return nil }
            var out: [[Double]] = []
            for (i, polygon) in polygons.enumerated() {
                let numbers = try JSONFields.numbers(
                    polygon, error: object.error("segmentation[\(i)]", "expected a polygon [x0, y0, x1, y1, …]"))
                guard numbers.count >= 6, numbers.count % 2 == 0, numbers.allSatisfy(\.isFinite) else {
                    throw object.error(
                        "segmentation[\(i)]", "a polygon needs an even number (at least 6) of finite coordinates, found \(numbers.count)",
                        code: .invalidValue)
                }
                out.append(numbers)
            }
            return .polygons(out)
        }
        guard raw is [String: Any] else { throw object.error("segmentation", "expected polygons or an RLE object") }
        let rle = JSONFields(values: raw as! [String: Any], file: object.file, field: object.path("segmentation"))
        let size = try rle.numbers("size")
        // A mask is the size of an image: at most DecodeLimits' largest side.
        guard size.count == 2, size.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 <= Double(DecodeLimits.defaultMaxSide) }) else {
            throw rle.error("size", "expected [height, width], each 0…\(DecodeLimits.defaultMaxSide)")
        }
        let (h, w) = (Int(size[0]), Int(size[1]))
        let text = rle.values["counts"] as? String
        let counts = text == nil ? try rle.numbers("counts") : []
        guard counts.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e12 }) else { throw rle.error("counts", "expected integers") }
        do throws(RunLengthMask.Invalid) {
            if let text { return .rle(try RunLengthMask(height: h, width: w, compressed: text)) }
            return .rle(try RunLengthMask(height: h, width: w, counts: counts.map { Int($0) }))
        } catch {
            throw rle.error("counts", error.description, code: .invalidValue)
        }
    }
}
