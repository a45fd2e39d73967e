internal import ImageIO

/// Where the annotation files and images of a dataset folder are, for the layouts the field's
/// tools write. Detection looks only at names, never at contents.
public enum DatasetLayout: Sendable, Hashable {
    /// COCO files, each with the folder its `file_name`s are relative to and the split it holds.
    case coco([COCOFile])
    case yolo
    case voc
    case imageFolder

    public struct COCOFile: Sendable, Hashable {
        public let json: String
        public let imageDirectory: String
        public let split: String?
    }

    public var format: DatasetFormat {
        switch self {
        case .coco: .coco
        case .yolo: .yolo
        case .voc: .voc
        case .imageFolder: .imageFolder
        }
    }

    /// Recognises, in order: COCO as we write it (`annotations.json` + `images/`, which synthetic
    /// datasets carry beside their YOLO labels — COCO holds more), YOLO (`data.yaml`), COCO as
    /// FiftyOne exports it (`labels.json` + `data/`), as COCO ships it
    /// (`annotations/instances_<split>.json` + `<split>/`), Pascal VOC (`Annotations/*.xml`),
    /// and last ImageFolder (sub-folders of images).
    public static func detect(_ root: String) throws(DatasetsError) -> DatasetLayout {
        guard FileIO.isDirectory(root) else {
            throw DatasetsError(.unreadable, path: root, FileIO.isFile(root) ? "is a file; a dataset is a folder" : "no such folder")
        }
        if FileIO.isFile("\(root)/\(COCOWriter.annotationFile)") {
            return .coco([
                COCOFile(json: "\(root)/\(COCOWriter.annotationFile)", imageDirectory: "\(root)/\(COCOWriter.imageFolder)", split: nil)
            ])
        }
        if YOLOReader.yamlNames.contains(where: { FileIO.isFile("\(root)/\($0)") }) { return .yolo }
        if FileIO.isFile("\(root)/labels.json") {
            return .coco([COCOFile(json: "\(root)/labels.json", imageDirectory: "\(root)/data", split: nil)])
        }
        if FileIO.isDirectory("\(root)/annotations") {
            let files = ((try? FileIO.list("\(root)/annotations")) ?? []).map(\.name).filter {
                $0.hasPrefix("instances_") && $0.hasSuffix(".json")
            }
            if !files.isEmpty {
                return .coco(
                    files.map { name in
                        let folder = String(name.dropFirst("instances_".count).dropLast(".json".count))
                        return COCOFile(json: "\(root)/annotations/\(name)", imageDirectory: "\(root)/\(folder)", split: splitName(folder))
                    })
            }
        }
        if FileIO.isDirectory("\(root)/Annotations") { return .voc }
        let visible = ((try? FileIO.list(root)) ?? []).filter { !$0.name.hasPrefix(".") }
        guard !visible.isEmpty else {
            throw DatasetsError(.unknownFormat, path: root, "the folder is empty (a dataset no image has been committed to yet?)")
        }
        let folders = visible.filter { $0.kind == .directory }.map(\.name)
        // `images/` and `labels/` without an annotation file or data.yaml are a detection
        // dataset missing its labels file, not an ImageFolder with classes "images" and "labels".
        if !folders.isEmpty, Set(folders).isSubset(of: ["images", "labels", "masks", "depth"]) {
            throw DatasetsError(
                .unknownFormat, path: root,
                "has \(folders.sorted().joined(separator: "/, "))/ but no annotations.json (COCO) or data.yaml (YOLO) to say what the images show"
            )
        }
        if !folders.isEmpty { return .imageFolder }
        throw DatasetsError(
            .unknownFormat, path: root,
            "cannot tell the dataset format: expected data.yaml (YOLO), labels.json, annotations.json or annotations/instances_*.json (COCO), Annotations/ (VOC), or one folder per class (ImageFolder)"
        )
    }

    /// The layout of a folder whose format is given rather than detected.
    public static func forced(_ format: DatasetFormat, root: String) throws(DatasetsError) -> DatasetLayout {
        switch format {
        case .yolo: return .yolo
        case .voc: return .voc
        case .imageFolder: return .imageFolder
        case .coco:
            // A synthetic dataset being filled has images before its first annotation file: empty.
            let names = ((try? FileIO.list(root)) ?? []).map(\.name).filter { !$0.hasPrefix(".") }
            if !FileIO.isFile("\(root)/\(COCOWriter.annotationFile)"), names.allSatisfy({ ["images", "labels", "data.yaml"].contains($0) })
            {
                return .coco([])
            }
            let detected = try detect(root)
            guard case .coco = detected else {
                throw DatasetsError(
                    .unknownFormat, path: root, "no COCO annotation file (labels.json, annotations.json or annotations/instances_*.json)")
            }
            return detected
        }
    }

    /// `val2017` → `val`, `train` → `train`: the split a COCO image folder holds.
    static func splitName(_ folder: String) -> String {
        let trimmed = String(folder.reversed().drop(while: \.isNumber).reversed())
        return trimmed.isEmpty ? folder : trimmed
    }
}
