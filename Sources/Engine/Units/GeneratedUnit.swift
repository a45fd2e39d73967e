public import Datasets
internal import Foundation
internal import ImageIO
public import StudioCore

/// One whole output of a job: an image with its labels and provenance, written by a worker into
/// `<staging>/<unit>/` as `image.<ext>` and `unit.json`. `unit.json` is written last (atomically),
/// so a unit folder with a `unit.json` is complete; anything else is a partial unit to redo.
public struct GeneratedUnit: Sendable, Hashable {
    /// The unit's index within its job (also its seed stream: deterministic outputs).
    public var index: Int
    /// The file name the image takes in the dataset (`images/<name>`), unique and deterministic.
    public var name: String
    public var width: Int
    public var height: Int
    public var attributes: [String: String]
    /// Annotations with categories by name.
    public var annotations: [(category: String, annotation: Annotation)]
    /// One JSON object: job, recipe, seed, index, every drawn parameter.
    public var provenance: String
    /// More files of the unit: dataset folder → file in the unit folder (`masks` → `mask.png`
    /// lands as `masks/<stem>.png`, `depth` → `depth.png` as `depth/<stem>.png`; `ImageMaps`).
    public var extras: [String: String] = [:]

    public init(
        index: Int, name: String, width: Int, height: Int, attributes: [String: String],
        annotations: [(category: String, annotation: Annotation)], provenance: String
    ) {
        self.index = index
        self.name = name
        self.width = width
        self.height = height
        self.attributes = attributes
        self.annotations = annotations
        self.provenance = provenance
    }

    public static func == (a: GeneratedUnit, b: GeneratedUnit) -> Bool { a.json() == b.json() }
    public func hash(into hasher: inout Hasher) { hasher.combine(json()) }

    static let manifest = "unit.json"

    /// Writes the image (in the format its name's extension says; `jpegQuality` for JPEG,
    /// `pngLevel` for PNG) and then the manifest into `folder` (created), each atomically.
    public func write(image: Image, to folder: String, jpegQuality: Int? = nil, pngLevel: Int? = nil) throws(EngineError) {
        do {
            try FileIO.createDirectory(folder)
            try ImageFile.write(
                image, to: "\(folder)/\(imageFile)", jpegQuality: jpegQuality ?? ImageFile.defaultJPEGQuality,
                pngLevel: pngLevel ?? ImageFile.defaultPNGLevel)
            try FileIO.writeAtomically(Array(json().utf8), to: "\(folder)/\(Self.manifest)")
        } catch {
            throw EngineError(.commitFailed, "cannot write unit \(index) in \(folder): \(error.message)")
        }
    }

    /// The image's file inside the unit folder.
    var imageFile: String {
        let ext = name.split(separator: ".").last.map(String.init) ?? "png"
        return "image.\(ext)"
    }

    func json() -> String {
        let annotations: [JSONValue] = self.annotations.map { item in
            var members: [(String, JSONValue)] = [("category", .string(item.category))]
            if let box = item.annotation.box {
                members.append(("bbox", .array([.double(box.x), .double(box.y), .double(box.width), .double(box.height)])))
            }
            if case .rle(let rle)? = item.annotation.mask {
                members.append(
                    (
                        "segmentation",
                        .object([("size", .array([.int(rle.height), .int(rle.width)])), ("counts", .string(rle.compressedCounts))])
                    ))
            }
            members.append(("iscrowd", .int(item.annotation.isCrowd ? 1 : 0)))
            if !item.annotation.attributes.isEmpty {
                members.append(
                    ("attributes", .object(item.annotation.attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
            }
            return .object(members)
        }
        return JSONValue.object([
            ("index", .int(index)), ("name", .string(name)), ("width", .int(width)), ("height", .int(height)),
            ("attributes", .object(attributes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("annotations", .array(annotations)), ("provenance", .string(provenance)),
            ("extras", .object(extras.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]).serialized() + "\n"
    }

    /// Reads a complete unit folder; a missing manifest or a manifest that does not parse is
    /// `badUnit`. (The image may already have been moved into the dataset by a commit that was
    /// interrupted; the committer checks.)
    public static func read(folder: String) throws(EngineError) -> GeneratedUnit {
        let path = "\(folder)/\(manifest)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError(.badUnit, "\(folder): no \(manifest) (an unfinished unit)")
        }
        guard let object = try? JSONReader.parse(Array(data)), let index = object["index"]?.integer, let name = object["name"]?.string,
            let width = object["width"]?.integer, let height = object["height"]?.integer,
            let attributes = object["attributes"]?.stringDictionary, let items = object["annotations"]?.array,
            let provenance = object["provenance"]?.string
        else { throw EngineError(.badUnit, "\(path): not a unit manifest") }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw EngineError(.badUnit, "\(path): bad image name \"\(name.terminalSafe)\"")
        }
        var annotations: [(String, Annotation)] = []
        for item in items {
            guard let category = item["category"]?.string else { throw EngineError(.badUnit, "\(path): an annotation has no category") }
            var annotation = Annotation(
                categoryID: 0, isCrowd: (item["iscrowd"]?.integer ?? 0) != 0, attributes: item["attributes"]?.stringDictionary ?? [:])
            if let b = item["bbox"]?.numbers, b.count == 4 {
                let box = BoundingBox(x: b[0], y: b[1], width: b[2], height: b[3])
                guard box.isWellFormed else { throw EngineError(.badUnit, "\(path): box \(box) is not well formed") }
                annotation.box = box
            }
            if let seg = item["segmentation"], let size = seg["size"]?.integers, size.count == 2, let counts = seg["counts"]?.string {
                do throws(RunLengthMask.Invalid) {
                    annotation.mask = .rle(try RunLengthMask(height: size[0], width: size[1], compressed: counts))
                } catch {
                    throw EngineError(.badUnit, "\(path): \(error.description)")
                }
            }
            annotations.append((category, annotation))
        }
        var unit = GeneratedUnit(
            index: index, name: name, width: width, height: height, attributes: attributes, annotations: annotations, provenance: provenance
        )
        if let extras = object["extras"]?.stringDictionary {
            for (folder, file) in extras {
                guard !folder.isEmpty, !folder.contains("/"), !folder.hasPrefix("."), !file.contains("/"),
                    !["images", "labels"].contains(folder)
                else {
                    throw EngineError(.badUnit, "\(path): bad extra \(folder) → \(file)")
                }
            }
            unit.extras = extras
        }
        return unit
    }
}
