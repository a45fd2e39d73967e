public import Datasets
internal import ImageIO
public import NeuralNet
internal import StudioCore

/// A labelled image dataset decoded into one tensor at the GAN's resolution, values in [-1, 1].
///
/// Refuses what a GAN cannot learn from, with the reason: fewer than two images, mixed sizes or
/// channel counts, images with no class or with several, a class with no images.
public struct TrainingSet: Sendable {
    public let classes: [String]
    /// `(N, channels, resolution, resolution)`.
    public let images: Tensor
    public let labels: [Int]
    /// The images' own size, which `gan sample` writes back.
    public let nativeWidth: Int
    public let nativeHeight: Int
    public let channels: Int
    public let root: String
    /// Indices of the images of each class.
    public let byClass: [[Int]]

    /// How the images became squares.
    public let fit: ImageFit

    public init(dataset: Dataset, resolution: Int, fit: ImageFit = .stretch) throws(GANError) {
        guard GANArchitecture.resolutions.contains(resolution) else {
            throw GANError(.settings, "resolution \(resolution) is not one of 16, 32, 64, 128")
        }
        guard dataset.samples.count >= 2 else {
            throw GANError(
                .data,
                "\(dataset.root.terminalSafe) has \(dataset.samples.count) image(s); a GAN needs at least 2 (and learns well from dozens per class)"
            )
        }
        let loaded = try LabelledImages(dataset: dataset, side: resolution, fit: fit)
        var byClass = [[Int]](repeating: [], count: loaded.classes.count)
        for (i, label) in loaded.labels.enumerated() { byClass[label].append(i) }
        if let empty = byClass.firstIndex(where: \.isEmpty) {
            throw GANError(
                .data, "class \(loaded.classes[empty].terminalSafe) has no images; remove its folder or add images before training")
        }
        root = dataset.root
        classes = loaded.classes
        images = loaded.images
        labels = loaded.labels
        self.byClass = byClass
        channels = loaded.channels
        nativeWidth = loaded.nativeWidth
        nativeHeight = loaded.nativeHeight
        self.fit = fit
    }

    public var count: Int { labels.count }

    /// Images already in memory (benchmarks, tests): `(N, C, R, R)` in [-1, 1].
    public init(images: Tensor, labels: [Int], classes: [String]) {
        self.images = images
        self.labels = labels
        self.classes = classes
        var byClass = [[Int]](repeating: [], count: classes.count)
        for (i, label) in labels.enumerated() { byClass[label].append(i) }
        precondition(byClass.allSatisfy { !$0.isEmpty }, "every class needs an image")
        self.byClass = byClass
        channels = images.shape[1]
        nativeWidth = images.shape[3]
        nativeHeight = images.shape[2]
        root = ""
        fit = .stretch
    }
}

/// The images of a dataset with one class per image, decoded and resized to `side × side` into
/// one tensor with values in [-1, 1]. Mixed sizes or channel counts, and images with no class or
/// several, are errors that name the files.
public struct LabelledImages: Sendable {
    public var classes: [String]
    public var images: Tensor
    public var labels: [Int]
    public var channels: Int
    public var nativeWidth: Int
    public var nativeHeight: Int

    /// `classes` fixes the class order (evaluation maps every dataset onto the real one's); a
    /// class outside it is an error. By default the dataset's own categories, in id order.
    /// `fit` says how an image that is not square becomes one.
    public init(dataset: Dataset, side: Int, classes fixed: [String]? = nil, fit: ImageFit = .stretch) throws(GANError) {
        let categories = dataset.categories.sorted { $0.id < $1.id }
        let classes = fixed ?? categories.map(\.name)
        let indexOfName = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let nameOfID = Dictionary(categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        guard let first = dataset.samples.first else { throw GANError(.data, "\(dataset.root.terminalSafe) has no images") }
        var labels: [Int] = []
        for sample in dataset.samples {
            let ids = Set(sample.annotations.map(\.categoryID))
            guard ids.count == 1, let name = nameOfID[ids.first!] else {
                throw GANError(
                    .data,
                    "\(sample.path.terminalSafe) has \(ids.isEmpty ? "no class" : "\(ids.count) classes"); this needs one class per image (an ImageFolder or image-level labels)"
                )
            }
            guard let label = indexOfName[name] else {
                throw GANError(.data, "\(sample.path.terminalSafe) is of class \(name.terminalSafe), which the real data does not have")
            }
            labels.append(label)
        }
        for sample in dataset.samples where sample.width != first.width || sample.height != first.height {
            throw GANError(
                .data,
                "images have mixed sizes: \(first.path.terminalSafe) is \(first.width)×\(first.height), \(sample.path.terminalSafe) is \(sample.width)×\(sample.height); resize them to one size first"
            )
        }
        let paths = dataset.samples.map { dataset.imagePath(of: $0) }
        let decoded: [Result<Image, ImageIOError>] = Parallel.map(paths.count) { i in
            do throws(ImageIOError) { return .success(try ImageFile.read(paths[i])) } catch { return .failure(error) }
        }
        var images: [Image] = []
        for (path, result) in zip(paths, decoded) {
            switch result {
            case .success(let image): images.append(image)
            case .failure(let error): throw GANError(.data, "cannot read \(path.terminalSafe): \(error.message)")
            }
        }
        let channels = images[0].layout.isColor ? 3 : 1
        for (path, image) in zip(paths, images) where (image.layout.isColor ? 3 : 1) != channels {
            throw GANError(
                .data,
                "images have mixed channel counts: \(paths[0].terminalSafe) is \(images[0].layout), \(path.terminalSafe) is \(image.layout); convert them to one first"
            )
        }
        let itemSize = channels * side * side
        var values = [Float](repeating: 0, count: images.count * itemSize)
        let resized = Parallel.map(images.count) { i in Resample.planes(images[i], channels: channels, to: side, fit: fit) }
        for (i, planes) in resized.enumerated() {
            for (j, v) in planes.enumerated() { values[i * itemSize + j] = v * 2 - 1 }
        }
        self.classes = classes
        self.images = Tensor(shape: [images.count, channels, side, side], storage: values)
        self.labels = labels
        self.channels = channels
        nativeWidth = first.width
        nativeHeight = first.height
    }
}

/// How an image that is not square becomes the networks' `side × side` square, and how a
/// generated square becomes an image again. Square images are the same under all three.
public enum ImageFit: String, Sendable, CaseIterable {
    /// Resized to the square, the aspect lost (the default; what runs before `fit` did).
    case stretch
    /// Scaled whole into the square, centred on black bars (letterboxed); samples are cut back to
    /// the image's own aspect and written at its size.
    case pad
    /// The centred square of the image, scaled to fill; samples are that square, written at the
    /// image's shorter side.
    case crop

    /// The rectangle of an image of `width × height` that the square shows.
    public func source(width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        guard self == .crop else { return (0, 0, width, height) }
        let s = min(width, height)
        return ((width - s) / 2, (height - s) / 2, s, s)
    }

    /// The rectangle of the `side × side` square that holds the image.
    public func content(width: Int, height: Int, side: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        guard self == .pad, width != height else { return (0, 0, side, side) }
        let longer = Double(max(width, height))
        let (w, h) = (
            max(1, Int((Double(width * side) / longer).rounded())), max(1, Int((Double(height * side) / longer).rounded()))
        )
        return ((side - w) / 2, (side - h) / 2, w, h)
    }

    /// The size samples are written at for images of `width × height`.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        self == .crop ? (min(width, height), min(width, height)) : (width, height)
    }
}

/// Separable resampling. Whole-number factors are exact inverses of each other: growing by k
/// repeats each pixel k times, shrinking by k averages k × k blocks, so an 8-px digit taken to
/// 16 px for the GAN and a generated 16-px image brought back to 8 px lose no contrast. Other
/// ratios use a triangle filter, widened when shrinking so nothing aliases.
public enum Resample {
    /// Channel planes of `image` in 0…1 (alpha dropped, gray kept gray or replicated to RGB),
    /// made `side × side` as `fit` says (bars are 0, black).
    static func planes(_ image: Image, channels: Int, to side: Int, fit: ImageFit = .stretch) -> [Float] {
        let from = fit.source(width: image.width, height: image.height)
        let to = fit.content(width: from.width, height: from.height, side: side)
        var out: [Float] = []
        for c in 0..<channels {
            var plane = [Float](repeating: 0, count: from.width * from.height)
            let channel = image.layout.isColor ? c : 0
            for y in 0..<from.height {
                for x in 0..<from.width { plane[y * from.width + x] = image.value(x: from.x + x, y: from.y + y, channel: channel) }
            }
            let resized = resize(plane, width: from.width, height: from.height, toWidth: to.width, toHeight: to.height)
            var square = [Float](repeating: 0, count: side * side)
            for y in 0..<to.height {
                for x in 0..<to.width { square[(to.y + y) * side + to.x + x] = resized[y * to.width + x] }
            }
            out += square
        }
        return out
    }

    /// The `width × height` rectangle at (`x`, `y`) of a plane `stride` values wide.
    static func cut(_ plane: ArraySlice<Float>, stride: Int, _ r: (x: Int, y: Int, width: Int, height: Int)) -> [Float] {
        let start = plane.startIndex
        var out = [Float](repeating: 0, count: r.width * r.height)
        for y in 0..<r.height { for x in 0..<r.width { out[y * r.width + x] = plane[start + (r.y + y) * stride + r.x + x] } }
        return out
    }

    /// One plane resized.
    public static func resize(_ plane: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        if width == toWidth && height == toHeight { return plane }
        let horizontal = weights(from: width, to: toWidth)
        let vertical = weights(from: height, to: toHeight)
        var rows = [Float](repeating: 0, count: toWidth * height)
        for y in 0..<height {
            for x in 0..<toWidth {
                var sum: Float = 0
                for (i, w) in horizontal[x] { sum += plane[y * width + i] * w }
                rows[y * toWidth + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for y in 0..<toHeight {
            for x in 0..<toWidth {
                var sum: Float = 0
                for (i, w) in vertical[y] { sum += rows[i * toWidth + x] * w }
                out[y * toWidth + x] = sum
            }
        }
        return out
    }

    /// For each output position, the source indices and normalized weights.
    private static func weights(from source: Int, to target: Int) -> [[(Int, Float)]] {
        if target % source == 0 {
            let k = target / source
            return (0..<target).map { [($0 / k, 1)] }
        }
        if source % target == 0 {
            let k = source / target
            return (0..<target).map { o in (0..<k).map { (o * k + $0, 1 / Float(k)) } }
        }
        let scale = Double(source) / Double(target)
        let support = max(scale, 1)
        return (0..<target).map { o in
            let center = (Double(o) + 0.5) * scale
            let low = max(0, Int((center - support).rounded(.down)))
            let high = min(source - 1, Int((center + support).rounded(.up)))
            var taps: [(Int, Float)] = []
            for i in low...high {
                let w = max(0, 1 - abs(Double(i) + 0.5 - center) / support)
                if w > 0 { taps.append((i, Float(w))) }
            }
            let total = taps.reduce(0) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
    }
}
