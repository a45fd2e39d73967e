public import StudioCore

/// One image of a dataset and what is annotated on it.
public struct Sample: Sendable, Hashable {
    /// Image path relative to the dataset root, `/`-separated.
    public var path: String
    /// Size in pixels (0 when the image could not be probed; validation reports it).
    public var width: Int
    public var height: Int
    /// `train`, `val`, `test`, … or `nil` when the layout has no splits.
    public var split: String?
    public var origin: Origin
    /// How a synthetic image was made: one JSON object (job, recipe, seed, checkpoint…), as found
    /// in the dataset's `provenance.jsonl`; `nil` for real images.
    public var provenance: String?
    /// Image-level attributes such as `weather: snow`, `lighting: night`.
    public var attributes: [String: String]
    public var annotations: [Annotation]

    public init(
        path: String, width: Int, height: Int, split: String? = nil, origin: Origin = .real,
        provenance: String? = nil, attributes: [String: String] = [:], annotations: [Annotation] = []
    ) {
        self.path = path
        self.width = width
        self.height = height
        self.split = split
        self.origin = origin
        self.provenance = provenance
        self.attributes = attributes
        self.annotations = annotations
    }

    /// The file name without its folders.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The file name without folders or extension.
    public var stem: String {
        let name = fileName
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// One labelled object (or, for classification datasets, the image's class).
public struct Annotation: Sendable, Hashable {
    /// `Category.id` of the dataset's categories.
    public var categoryID: Int
    /// Box in pixels, origin top-left; `nil` for image-level labels.
    public var box: BoundingBox?
    public var mask: Mask?
    /// COCO's `iscrowd`: the region covers a group of objects.
    public var isCrowd: Bool
    /// Annotation-level attributes; an attribute missing here falls back to the image's.
    public var attributes: [String: String]

    public init(categoryID: Int, box: BoundingBox? = nil, mask: Mask? = nil, isCrowd: Bool = false, attributes: [String: String] = [:]) {
        self.categoryID = categoryID
        self.box = box
        self.mask = mask
        self.isCrowd = isCrowd
        self.attributes = attributes
    }

    /// An ignore region (attribute `ignore: true`, written with `iscrowd: 1` by the renderer for
    /// objects too small or too hidden to learn): neither an instance to count nor background.
    /// A COCO crowd region without it is a group of instances and counts.
    public var isIgnored: Bool { attributes["ignore"] == "true" }

    /// Area in pixels: of the mask when there is one, else of the box, else 0.
    public var area: Double {
        switch mask {
        case .rle(let rle)?: Double(rle.area)
        case .polygons(let polygons)?: polygons.reduce(0) { $0 + Mask.polygonArea($1) }
        case nil: box?.area ?? 0
        }
    }
}

/// An instance mask: polygons in pixel coordinates, or COCO run-length encoding.
public enum Mask: Sendable, Hashable {
    /// Each polygon is `[x0, y0, x1, y1, …]` in pixels.
    case polygons([[Double]])
    case rle(RunLengthMask)

    /// Area of one polygon by the shoelace formula.
    static func polygonArea(_ p: [Double]) -> Double {
        let n = p.count / 2
        guard n >= 3 else { return 0 }
        var sum = 0.0
        for i in 0..<n {
            let j = (i + 1) % n
            sum += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1]
        }
        return abs(sum) / 2
    }

    /// The tight box around the mask.
    public var boundingBox: BoundingBox? {
        switch self {
        case .rle(let rle): return rle.boundingBox
        case .polygons(let polygons):
            let xs = polygons.flatMap { p in stride(from: 0, to: p.count - 1, by: 2).map { p[$0] } }
            let ys = polygons.flatMap { p in stride(from: 1, to: p.count, by: 2).map { p[$0] } }
            guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
            return BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1)
        }
    }
}
