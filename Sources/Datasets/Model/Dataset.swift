internal import StudioCore

/// A dataset read from disk into the one model every format maps to.
///
/// Paths of samples are relative to `root`; categories are referred to by `Category.id`, which keeps
/// the ids of the source format (COCO's, YOLO's class indices, ImageFolder's sorted folder order).
public struct Dataset: Sendable, Hashable {
    /// A display name (the workspace's name for it, or the folder name).
    public var name: String
    /// The folder the dataset lives in; sample paths are relative to it.
    public var root: String
    /// The layout it was read from or will be written in.
    public var format: DatasetFormat
    /// Whether the images were captured (`real`) or generated (`synthetic`).
    public var origin: Origin
    public var categories: [Category]
    public var samples: [Sample]
    /// Things skipped while reading that did not stop it (a loop of symbolic links, an image
    /// whose header could not be read); `validate` reports them.
    public var problems: [DatasetsError]

    public init(
        name: String, root: String, format: DatasetFormat, origin: Origin, categories: [Category] = [], samples: [Sample] = [],
        problems: [DatasetsError] = []
    ) {
        self.name = name
        self.root = root
        self.format = format
        self.origin = origin
        self.categories = categories
        self.samples = samples
        self.problems = problems
    }

    /// Number of annotations over all samples.
    public var annotationCount: Int { samples.reduce(0) { $0 + $1.annotations.count } }

    /// The absolute (or root-relative) path of a sample's image.
    public func imagePath(of sample: Sample) -> String {
        sample.path.hasPrefix("/") ? sample.path : "\(root)/\(sample.path)"
    }

    /// Categories by id.
    public var categoriesByID: [Int: Category] {
        Dictionary(categories.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Where the pixels came from. Synthetic data is never mistaken for real.
public enum Origin: String, Sendable, Hashable, Codable, CaseIterable {
    case real
    case synthetic
}

/// The on-disk layouts we read and write.
public enum DatasetFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One folder per class (torchvision's ImageFolder), optionally under split folders.
    case imageFolder = "imagefolder"
    /// COCO instances JSON.
    case coco
    /// Ultralytics YOLO: `data.yaml`, `images/<split>/`, `labels/<split>/`.
    case yolo
    /// Pascal VOC XML (read only).
    case voc
}

/// A class of object.
public struct Category: Sendable, Hashable, Codable {
    public var id: Int
    public var name: String
    public var supercategory: String?

    public init(id: Int, name: String, supercategory: String? = nil) {
        self.id = id
        self.name = name
        self.supercategory = supercategory
    }
}
