public import Datasets
internal import ImageIO
internal import StudioCore

/// A detection dataset held in memory at the detector's input size: each image scaled to fit
/// `width × height` (aspect kept, top-left, grey beyond), RGB bytes, with its boxes in those
/// pixels. Categories are matched by name onto a fixed class list; other categories are left out.
public struct DetectionImages: Sendable {
    public struct Item: Sendable {
        /// `width × height × 3` bytes, row-major RGB.
        public var pixels: [UInt8]
        public var boxes: [LabelledBox]
        /// Network pixels per original pixel.
        public var scale: Float
        /// Index of the sample in its dataset.
        public var sample: Int
    }

    public static let padding: UInt8 = 114
    /// Largest number of images held (at 256 × 192 about 150 KB each).
    public static let maxImages = 20000

    public let width: Int
    public let height: Int
    public let classes: [String]
    public var items: [Item]

    public init(dataset: Dataset, classes: [String], width: Int, height: Int) throws(EvaluationError) {
        guard dataset.samples.count <= Self.maxImages else {
            throw EvaluationError(
                .data,
                "\(dataset.root.terminalSafe) has \(dataset.samples.count) images; detection evaluation takes at most \(Self.maxImages)")
        }
        let index = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let classOfID = Dictionary(dataset.categories.map { ($0.id, index[$0.name]) }, uniquingKeysWith: { a, _ in a })
        let samples = dataset.samples
        let loaded: [Result<Item, EvaluationError>] = Parallel.map(samples.count) { i in
            let sample = samples[i]
            let path = dataset.imagePath(of: sample)
            do throws(ImageIOError) {
                let image = try ImageFile.readForDisplay(path, minWidth: width, minHeight: height)
                // Boxes are in the sample's own pixels; the decode may be scaled down (JPEG).
                let originalWidth = sample.width > 0 ? sample.width : image.width
                let scale = min(
                    Float(width) / Float(originalWidth), Float(height) / Float(max(1, sample.height > 0 ? sample.height : image.height)))
                let pixels = Self.fit(image, scale: scale * Float(originalWidth) / Float(image.width), width: width, height: height)
                var boxes: [LabelledBox] = []
                for annotation in sample.annotations {
                    guard let box = annotation.box, box.isWellFormed, let category = classOfID[annotation.categoryID] ?? nil else {
                        continue
                    }
                    boxes.append(
                        LabelledBox(
                            category: category, x: Float(box.x) * scale, y: Float(box.y) * scale, width: Float(box.width) * scale,
                            height: Float(box.height) * scale, ignore: annotation.isCrowd || annotation.isIgnored))
                }
                return .success(Item(pixels: pixels, boxes: boxes, scale: scale, sample: i))
            } catch {
                return .failure(EvaluationError(.data, "cannot read \(path.terminalSafe): \(error.message)"))
            }
        }
        var items: [Item] = []
        for result in loaded {
            switch result {
            case .success(let item): items.append(item)
            case .failure(let error): throw error
            }
        }
        self.width = width
        self.height = height
        self.classes = classes
        self.items = items
    }

    /// The image averaged down (or sampled up) by `scale` into a padded `width × height` canvas.
    static func fit(_ image: Image, scale: Float, width: Int, height: Int) -> [UInt8] {
        let rgb = image.rgb8(background: (Self.padding, Self.padding, Self.padding))
        var out = [UInt8](repeating: Self.padding, count: width * height * 3)
        let w = min(width, Int((Float(image.width) * scale).rounded()))
        let h = min(height, Int((Float(image.height) * scale).rounded()))
        let inverse = 1 / scale
        for y in 0..<h {
            let y0 = Int(Float(y) * inverse)
            let y1 = max(y0 + 1, min(image.height, Int(Float(y + 1) * inverse)))
            for x in 0..<w {
                let x0 = Int(Float(x) * inverse)
                let x1 = max(x0 + 1, min(image.width, Int(Float(x + 1) * inverse)))
                var sum = (0, 0, 0)
                for sy in y0..<min(y1, image.height) {
                    var p = (sy * image.width + x0) * 3
                    for _ in x0..<min(x1, image.width) {
                        sum.0 += Int(rgb[p])
                        sum.1 += Int(rgb[p + 1])
                        sum.2 += Int(rgb[p + 2])
                        p += 3
                    }
                }
                let count = max(1, (min(y1, image.height) - y0) * (min(x1, image.width) - x0))
                let o = (y * width + x) * 3
                out[o] = UInt8(sum.0 / count)
                out[o + 1] = UInt8(sum.1 / count)
                out[o + 2] = UInt8(sum.2 / count)
            }
        }
        return out
    }

    /// Classes found in a dataset's boxes (non-ignored), by name, in category-id order.
    public static func classes(of dataset: Dataset) -> [String] {
        var used = Set<Int>()
        for sample in dataset.samples {
            for a in sample.annotations where a.box != nil && !a.isIgnored && !a.isCrowd { used.insert(a.categoryID) }
        }
        return dataset.categories.sorted { $0.id < $1.id }.filter { used.contains($0.id) }.map(\.name)
    }
}
