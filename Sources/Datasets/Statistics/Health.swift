internal import Foundation
internal import ImageIO
internal import StudioCore

/// One thing a curation tool would flag: an image that looks wrong, a copy, a suspicious label.
public struct HealthIssue: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case dark, bright
        case lowContrast = "low-contrast"
        case blurry, noisy, grayscale
        case oddSize = "odd-size"
        case oddAspect = "odd-aspect"
        /// The same pixels as another image (in this dataset or another).
        case duplicate
        /// A perceptual hash within `Health.nearDuplicateDistance` bits of another image's.
        case nearDuplicate = "near-duplicate"
        case boxOutside = "box-outside"
        case boxTiny = "box-tiny"
        case boxDuplicate = "box-duplicate"
        case boxAspect = "box-aspect"
        /// An image without any annotation in a dataset whose other images have some.
        case unlabelled
        /// A class with few annotations, or none.
        case rareClass = "rare-class"
        case unreadable
    }

    public var kind: Kind
    public var dataset: String
    /// Image path as the dataset lists it (relative to its root); the dataset folder for class issues.
    public var path: String
    public var detail: String

    public init(kind: Kind, dataset: String, path: String, detail: String) {
        self.kind = kind
        self.dataset = dataset
        self.path = path
        self.detail = detail
    }
}

/// Everything `health` found, per dataset.
public struct HealthReport: Sendable {
    public var datasets: [(name: String, images: Int)]
    public var issues: [HealthIssue]
    /// Median measures per dataset (for the report), by dataset name.
    public var medians: [String: ImageMeasures]

    public init(datasets: [(name: String, images: Int)], issues: [HealthIssue], medians: [String: ImageMeasures]) {
        self.datasets = datasets
        self.issues = issues
        self.medians = medians
    }
}

/// Dataset health: image quality outliers, exact and near duplicates within and across
/// datasets, and label issues. Quality flags are absolute where a value is wrong in any dataset
/// (nearly black, no contrast, grey stored as RGB) and relative to the dataset where "wrong"
/// depends on the data (blur and noise more than 3.5 robust deviations from the dataset's median
/// on a log scale, sizes and aspect ratios far from the median).
public enum Health {
    public static let nearDuplicateDistance = 4
    public static let robustLimit = 3.5
    /// Smaller images are checked for exact copies only.
    public static let minimumHashedSide = 32
    /// A class with fewer annotations than this is rare.
    public static let rareClassCount = 5

    /// Images are measured decoded at no less than this on each side (JPEG at a DCT scale, PNG
    /// averaged row by row): exposure, blur and hashes do not need more, and memory stays bounded.
    public static let measuredSide = 1024

    /// Measures every image of `dataset` on all cores; a failure for one that cannot be decoded.
    /// `reusing` gives measures already known for a sample (by index; the catalog keeps them per
    /// file), so only the others are decoded.
    public static func measure(_ dataset: Dataset, reusing known: (Int) -> ImageMeasures? = { _ in nil }) -> [Result<
        ImageMeasures, DatasetsError
    >] {
        let samples = dataset.samples
        return Parallel.map(samples.count) { i in
            if let measures = known(i) { return .success(measures) }
            let path = dataset.imagePath(of: samples[i])
            do throws(ImageIOError) {
                // Reduced while decoding, so a 16k² image costs what a 1k² one does; sizes are the file's.
                var measures = ImageMeasures(try ImageFile.readForDisplay(path, minWidth: measuredSide, minHeight: measuredSide))
                if samples[i].width > 0, samples[i].height > 0 { (measures.width, measures.height) = (samples[i].width, samples[i].height) }
                return .success(measures)
            } catch {
                return .failure(DatasetsError(.unreadable, path: path, error.message))
            }
        }
    }

    public static func report(_ parts: [(name: String, dataset: Dataset, measures: [Result<ImageMeasures, DatasetsError>])]) -> HealthReport
    {
        var issues: [HealthIssue] = []
        var medians: [String: ImageMeasures] = [:]
        var all: [(part: Int, sample: Int, measures: ImageMeasures)] = []
        for (p, part) in parts.enumerated() {
            var measured: [(Int, ImageMeasures)] = []
            for (i, result) in part.measures.enumerated() {
                switch result {
                case .success(let m): measured.append((i, m))
                case .failure(let error):
                    issues.append(
                        HealthIssue(kind: .unreadable, dataset: part.name, path: part.dataset.samples[i].path, detail: error.message))
                }
            }
            all += measured.map { (p, $0.0, $0.1) }
            let (quality, median) = qualityIssues(measured, dataset: part.dataset, name: part.name)
            issues += quality
            if let median { medians[part.name] = median }
            issues += labelIssues(part.dataset, name: part.name)
        }
        issues += duplicates(all, parts: parts.map { ($0.name, $0.dataset) })
        return HealthReport(datasets: parts.map { ($0.name, $0.dataset.samples.count) }, issues: issues, medians: medians)
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Robust z-scores of `values` (median and 1.4826 × median absolute deviation).
    static func robustScores(_ values: [Double]) -> [Double] {
        let m = median(values)
        let mad = median(values.map { abs($0 - m) }) * 1.4826
        return values.map { mad > 1e-9 ? ($0 - m) / mad : 0 }
    }

    static func qualityIssues(_ measured: [(Int, ImageMeasures)], dataset: Dataset, name: String) -> ([HealthIssue], ImageMeasures?) {
        var issues: [HealthIssue] = []
        guard let first = measured.first?.1 else { return ([], nil) }
        func flag(_ kind: HealthIssue.Kind, _ i: Int, _ detail: String) {
            issues.append(HealthIssue(kind: kind, dataset: name, path: dataset.samples[i].path, detail: detail))
        }
        // Sharpness relative to contrast, so a dim (night) image is not called blurred for being dim.
        let relativeSharpness = measured.map { $0.1.sharpness / max(1e-6, ($0.1.contrast * 255) * ($0.1.contrast * 255)) }
        let medianRelative = median(relativeSharpness)
        let logSharpness = relativeSharpness.map { log(max($0, 1e-9)) }
        let logNoise = measured.map { log(max($0.1.noise, 1e-6)) }
        let sharpScores = robustScores(logSharpness)
        let noiseScores = robustScores(logNoise)
        let areas = measured.map { Double($0.1.width * $0.1.height) }
        let aspects = measured.map { Double($0.1.width) / Double(max(1, $0.1.height)) }
        let (medianArea, medianAspect) = (median(areas), median(aspects))
        let medianSharpness = median(measured.map(\.1.sharpness))
        let medianNoise = median(measured.map(\.1.noise))
        for (k, (i, m)) in measured.enumerated() {
            if m.brightness < 0.06 { flag(.dark, i, String(format: "mean brightness %.2f", m.brightness)) }
            if m.brightness > 0.94 { flag(.bright, i, String(format: "mean brightness %.2f", m.brightness)) }
            if m.contrast < 0.02 { flag(.lowContrast, i, String(format: "luma spread %.3f", m.contrast)) }
            // Blur and noise need a dataset to compare with: at least 8 images.
            if measured.count >= 8, sharpScores[k] < -robustLimit, relativeSharpness[k] < medianRelative / 4 {
                flag(
                    .blurry, i,
                    String(
                        format: "Laplacian variance %.1f, %.3f of the luma variance (dataset median %.3f)", m.sharpness,
                        relativeSharpness[k], medianRelative))
            }
            if measured.count >= 8, noiseScores[k] > robustLimit, m.noise > medianNoise * 2 {
                flag(.noisy, i, String(format: "noise σ %.1f (dataset median %.1f)", m.noise, medianNoise))
            }
            if m.isGrayscaleInColor { flag(.grayscale, i, "an RGB image whose channels are equal") }
            let area = Double(m.width * m.height)
            if measured.count >= 8, area < medianArea / 4 || area > medianArea * 4 {
                flag(.oddSize, i, "\(m.width)×\(m.height) (dataset median \(Int(medianArea.squareRoot()))² px)")
            }
            let aspect = Double(m.width) / Double(max(1, m.height))
            if measured.count >= 8, aspect < medianAspect / 1.5 || aspect > medianAspect * 1.5 {
                flag(.oddAspect, i, String(format: "aspect %.2f (dataset median %.2f)", aspect, medianAspect))
            }
        }
        var typical = first
        typical.brightness = median(measured.map(\.1.brightness))
        typical.contrast = median(measured.map(\.1.contrast))
        typical.sharpness = medianSharpness
        typical.noise = medianNoise
        typical.colourfulness = median(measured.map(\.1.colourfulness))
        return (issues, typical)
    }

    static func labelIssues(_ dataset: Dataset, name: String) -> [HealthIssue] {
        var issues: [HealthIssue] = []
        let anyBoxes = dataset.samples.contains { $0.annotations.contains { $0.box != nil } }
        var counts: [Int: Int] = [:]
        // Aspect is judged against the box's class (a lamp post is 1:25, a car is not).
        var aspects: [Int: [Double]] = [:]
        for sample in dataset.samples {
            for a in sample.annotations where !a.isIgnored {
                if let b = a.box, b.width >= 2, b.height >= 2 { aspects[a.categoryID, default: []].append(b.width / b.height) }
            }
        }
        let classAspects = aspects.filter { $0.value.count >= 5 }.mapValues { median($0) }
        for sample in dataset.samples {
            func flag(_ kind: HealthIssue.Kind, _ detail: String) {
                issues.append(HealthIssue(kind: kind, dataset: name, path: sample.path, detail: detail))
            }
            if anyBoxes && sample.annotations.isEmpty { flag(.unlabelled, "no annotations") }
            let boxes = sample.annotations.enumerated().compactMap { i, a in a.box.map { (i, a, $0) } }
            for (i, a, box) in boxes {
                if !a.isIgnored { counts[a.categoryID, default: 0] += 1 }
                if sample.width > 0, sample.height > 0, !box.fits(width: sample.width, height: sample.height) {
                    flag(.boxOutside, "annotation \(i) box \(box) leaves the \(sample.width)×\(sample.height) image")
                }
                if !a.isIgnored, box.width < 2 || box.height < 2 {
                    flag(.boxTiny, String(format: "annotation %d is %.1f×%.1f px", i, box.width, box.height))
                }
                let ratio = box.width / max(box.height, 1e-9)
                // A box cut by the frame has the aspect of what is left: not a label issue.
                let cut = box.x <= 1 || box.y <= 1 || box.maxX >= Double(sample.width - 1) || box.maxY >= Double(sample.height - 1)
                if !cut, !a.isIgnored, box.width >= 2, box.height >= 2, let typical = classAspects[a.categoryID],
                    ratio > typical * 8 || ratio < typical / 8
                {
                    flag(.boxAspect, String(format: "annotation %d has aspect %.2f (its class's median %.2f)", i, ratio, typical))
                }
            }
            for (x, (i, a, boxA)) in boxes.enumerated() {
                for (j, b, boxB) in boxes[(x + 1)...] where a.categoryID == b.categoryID && iou(boxA, boxB) > 0.9 {
                    flag(.boxDuplicate, "annotations \(i) and \(j): the same class, IoU \(String(format: "%.2f", iou(boxA, boxB)))")
                }
            }
        }
        if anyBoxes {
            for category in dataset.categories.sorted(by: { $0.id < $1.id }) {
                let n = counts[category.id] ?? 0
                if n < rareClassCount {
                    issues.append(
                        HealthIssue(
                            kind: .rareClass, dataset: name, path: dataset.root,
                            detail: "class \(category.name) has \(n) annotation\(n == 1 ? "" : "s")"))
                }
            }
        }
        return issues
    }

    static func iou(_ a: BoundingBox, _ b: BoundingBox) -> Double {
        let w = min(a.maxX, b.maxX) - max(a.x, b.x)
        let h = min(a.maxY, b.maxY) - max(a.y, b.y)
        guard w > 0, h > 0 else { return 0 }
        return w * h / (a.area + b.area - w * h)
    }

    /// Exact copies (same pixels) and near copies (perceptual hashes at most
    /// `nearDuplicateDistance` bits apart), found through an index of hash bands: two hashes
    /// that differ in at most 7 bits agree exactly in at least one of their 8 bytes, so only
    /// images sharing a byte at a position are compared (not every pair).
    package static func duplicates(_ all: [(part: Int, sample: Int, measures: ImageMeasures)], parts: [(name: String, dataset: Dataset)])
        -> [HealthIssue]
    {
        var issues: [HealthIssue] = []
        func describe(_ k: Int) -> String {
            let e = all[k]
            return "\(parts[e.part].name)/\(parts[e.part].dataset.samples[e.sample].path)"
        }
        func flag(_ kind: HealthIssue.Kind, _ k: Int, _ detail: String) {
            let e = all[k]
            issues.append(
                HealthIssue(kind: kind, dataset: parts[e.part].name, path: parts[e.part].dataset.samples[e.sample].path, detail: detail))
        }
        func origins(_ a: Int, _ b: Int) -> String {
            let (x, y) = (parts[all[a].part].dataset.origin, parts[all[b].part].dataset.origin)
            if x == .synthetic && y == .synthetic { return " (the generator repeats itself)" }
            if x != y { return " (a synthetic image this close to a real one may be memorised)" }
            return ""
        }
        var firstWithPixels: [UInt64: Int] = [:]
        var exact = Set<Int>()
        for k in all.indices {
            if let earlier = firstWithPixels[all[k].measures.pixelHash] {
                flag(.duplicate, k, "the same pixels as \(describe(earlier))\(origins(earlier, k))")
                exact.insert(k)
            } else {
                firstWithPixels[all[k].measures.pixelHash] = k
            }
        }
        var buckets: [Int: [Int]] = [:]
        // A hash of an image under 32 px on a side is mostly its upscaling: only exact copies count.
        let hashable = { (k: Int) in min(all[k].measures.width, all[k].measures.height) >= minimumHashedSide }
        for k in all.indices where !exact.contains(k) && hashable(k) {
            let h = all[k].measures.perceptualHash
            for band in 0..<8 { buckets[band << 8 | Int((h >> (8 * UInt64(band))) & 0xff), default: []].append(k) }
        }
        var reported = Set<Int>()
        for k in all.indices where !exact.contains(k) && hashable(k) {
            let h = all[k].measures.perceptualHash
            var best: (Int, Int)?
            for band in 0..<8 {
                for other in buckets[band << 8 | Int((h >> (8 * UInt64(band))) & 0xff)] ?? [] where other < k {
                    let d = (h ^ all[other].measures.perceptualHash).nonzeroBitCount
                    if d <= nearDuplicateDistance, best.map({ d < $0.1 }) ?? true { best = (other, d) }
                }
            }
            if let (other, d) = best, !reported.contains(k) {
                reported.insert(k)
                flag(.nearDuplicate, k, "\(d) bit\(d == 1 ? "" : "s") from \(describe(other))\(origins(other, k))")
            }
        }
        return issues
    }
}
