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
        let contents: ConsumableFile
        do { contents = try ConsumableFile(file) } catch { throw DatasetsError(.unreadable, path: file, error.message) }
        var state = State(file: file, imageDirectory: imageDirectory, root: root, split: split)
        // One pass over the file, streamed: each image, annotation and category is read as a
        // small node, turned into the model and dropped — the document never exists as a tree,
        // and the pages of text already read are given back as the pass goes.
        var isObject = false
        let duplicates: [(key: String, line: Int)]
        do {
            duplicates = try contents.withBytes { bytes throws(JSONSyntaxError) in
                try JSONReader.read(bytes) { reader throws(JSONSyntaxError) in
                    guard try reader.peek() == .object else {
                        try reader.skip()
                        return []
                    }
                    isObject = true
                    try reader.members { key, reader throws(JSONSyntaxError) in
                        guard ["images", "annotations", "categories"].contains(key) else { return try reader.skip() }
                        let kind = try reader.peek()
                        if key == "annotations", kind == .null { return try reader.skip() }  // "no annotations" said with null
                        guard kind == .array else {
                            state.failure = state.failure ?? DatasetsError(.schema, path: file, at: key, "expected an array")
                            return try reader.skip()
                        }
                        state.seen.insert(key)
                        try reader.elements { index, reader throws(JSONSyntaxError) in
                            let node = try reader.node()
                            if index % 4096 == 4095 { contents.release(upTo: reader.forgetConsumed()) }
                            guard state.failure == nil else { return }
                            do throws(DatasetsError) {
                                guard case .object = node else {
                                    throw DatasetsError(.schema, path: file, at: "\(key)[\(index)]", "expected an object")
                                }
                                let fields = JSONFields(values: node, file: file, field: "\(key)[\(index)]")
                                switch key {
                                case "images": try state.image(fields)
                                case "annotations": try state.annotation(fields, index: index)
                                default: try state.category(fields)
                                }
                            } catch {
                                state.failure = error
                            }
                        }
                    }
                    return reader.duplicates
                }
            }
        } catch {
            throw JSONFields.syntaxError(error, file: file)
        }
        if let failure = state.failure { throw failure }
        guard isObject else { throw DatasetsError(.schema, path: file, "the top level is not a JSON object") }
        for key in ["images", "categories"] where !state.seen.contains(key) {
            throw DatasetsError(.schema, path: file, at: key, "missing (a COCO file needs \"\(key)\")")
        }
        try state.finish()
        var problems: [DatasetsError] = []
        if let duplicate = duplicates.first {
            problems.append(
                DatasetsError(
                    .invalidValue, path: file, at: ":\(duplicate.line)",
                    "the key \"\(duplicate.key.prefix(80))\" appears twice in one object; only the last value is read"))
        }
        let ids = state.annotationIDs.repeated()
        if !ids.isEmpty {
            problems.append(
                DatasetsError(
                    .invalidValue, path: file,
                    "\(ids.count) annotation id(s) appear more than once (\(ids.prefix(5).map(String.init).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")): tools that index annotations by id lose some"
                ))
        }
        return (state.categories, state.samples, problems)
    }

    /// What the streamed pass has built so far.
    private struct State {
        let file: String
        let imageDirectory: String
        let root: String
        let split: String?
        var failure: DatasetsError?
        var seen: Set<String> = []
        var categories: [Category] = []
        var categoryIDs: Set<Int> = []
        var samples: [Sample] = []
        var indexOfImage: [Int: Int] = [:]
        /// Where each annotation whose category was not yet known went (sample, position), by its
        /// index in the file, to name the ones whose category turns out unknown (categories
        /// usually come after the annotations).
        var placed: [(sample: Int32, position: Int32, index: Int32)] = []
        /// Annotations met before their image (a file listing annotations first).
        var early: [(fields: JSONFields, index: Int)] = []
        var unknown: [(Int, String)] = []
        var annotationIDs = IDSet()

        init(file: String, imageDirectory: String, root: String, split: String?) {
            self.file = file
            self.imageDirectory = imageDirectory
            self.root = root
            self.split = split
        }

        mutating func category(_ object: JSONFields) throws(DatasetsError) {
            let id = try object.int("id")
            guard categoryIDs.insert(id).inserted else { throw object.error("id", "category id \(id) appears twice", code: .invalidValue) }
            let name = try object.string("name")
            guard name.utf8.count <= DatasetLimits.className else {
                throw object.error(
                    "name", "a class name of \(name.utf8.count) bytes (the limit is \(DatasetLimits.className))", code: .invalidValue)
            }
            categories.append(Category(id: id, name: name, supercategory: try object.optionalString("supercategory")))
        }

        mutating func image(_ object: JSONFields) throws(DatasetsError) {
            let id = try object.int("id")
            guard indexOfImage[id] == nil else { throw object.error("id", "image id \(id) appears twice", code: .invalidValue) }
            let name = try object.string("file_name")
            var path = try DatasetPaths.contained(name, under: imageDirectory, root: root, file: file, field: object.path("file_name"))
            // Some tools write file names relative to the dataset folder rather than the image folder.
            if imageDirectory != root, !FileIO.isFile("\(root)/\(path)"),
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
                    path: path, width: width, height: height, split: try object.optionalString("split") ?? split,
                    attributes: try object.attributes("attributes")))
        }

        mutating func annotation(_ object: JSONFields, index: Int, early isEarly: Bool = false) throws(DatasetsError) {
            // An annotation set aside until its image came was counted when it was met.
            if !isEarly, let id = try object.optionalInt("id") { annotationIDs.note(id) }
            let imageID = try object.int("image_id"), categoryID = try object.int("category_id")
            guard let sampleIndex = indexOfImage[imageID] else {
                early.append((object, index))
                return
            }
            // No copy of the sample is held: it would share the annotations' buffer and make
            // every append below copy it.
            let annotation = try COCOReader.annotation(
                object, categoryID: categoryID, width: samples[sampleIndex].width, height: samples[sampleIndex].height)
            let count = samples[sampleIndex].annotations.count
            if !categoryIDs.contains(categoryID) {
                // Categories usually come last: checked when they are all known.
                placed.append((Int32(truncatingIfNeeded: sampleIndex), Int32(truncatingIfNeeded: count), Int32(truncatingIfNeeded: index)))
            }
            // Grown by a quarter rather than doubled: a million annotations spread over their
            // images would otherwise leave a third of the model's memory as spare capacity.
            if count == samples[sampleIndex].annotations.capacity {
                samples[sampleIndex].annotations.reserveCapacity(count + max(4, count / 4))
            }
            samples[sampleIndex].annotations.append(annotation)
        }

        /// Annotations that came before their images, then every reference checked.
        mutating func finish() throws(DatasetsError) {
            for (object, index) in early {
                let imageID = try object.int("image_id")
                guard indexOfImage[imageID] != nil else {
                    unknown.append((index, "\(object.field) points at image \(imageID), which is not in \"images\""))
                    continue
                }
                try annotation(object, index: index, early: true)
            }
            for (sample, position, index) in placed {
                let categoryID = samples[Int(sample)].annotations[Int(position)].categoryID
                if !categoryIDs.contains(categoryID) {
                    unknown.append((Int(index), "annotations[\(index)] has category \(categoryID), which is not in \"categories\""))
                }
            }
            guard !unknown.isEmpty else { return }
            let sorted = unknown.sorted { $0.0 < $1.0 }.map(\.1)
            let shown = sorted.prefix(10).joined(separator: "; ")
            let more = sorted.count > 10 ? " (and \(sorted.count - 10) more)" : ""
            throw DatasetsError(.invalidValue, path: file, "\(sorted.count) annotation(s) refer to unknown ids: \(shown)\(more)")
        }
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
        if let polygons = raw.array {
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
        guard case .object = raw else { throw object.error("segmentation", "expected polygons or an RLE object") }
        let rle = JSONFields(values: raw, file: object.file, field: object.path("segmentation"))
        let size = try rle.numbers("size")
        // A mask is the size of an image: at most DecodeLimits' largest side.
        guard size.count == 2, size.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 <= Double(DecodeLimits.defaultMaxSide) }) else {
            throw rle.error("size", "expected [height, width], each 0…\(DecodeLimits.defaultMaxSide)")
        }
        let (h, w) = (Int(size[0]), Int(size[1]))
        let text = rle.values["counts"]?.string
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

/// Annotation ids seen, to find the ones used twice: a plain list (8 bytes an id, a third of a
/// set's cost at a million ids), sorted once at the end unless it was strictly increasing — as
/// files that number their annotations are, and then no id can repeat.
private struct IDSet {
    private var ids: [Int] = []
    private var increasing = true

    mutating func note(_ id: Int) {
        if let last = ids.last, id <= last { increasing = false }
        ids.append(id)
    }

    /// Every repeat (an id seen three times is listed twice), in increasing order.
    func repeated() -> [Int] {
        guard !increasing else { return [] }
        let sorted = ids.sorted()
        return zip(sorted, sorted.dropFirst()).compactMap { $0 == $1 ? $1 : nil }
    }
}
