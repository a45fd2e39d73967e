public import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// The domain gap per coverage cell: how easily a small classifier tells the cell's real objects
/// from its synthetic ones. Each object (its box with a margin, or the whole image when it has no
/// box) is reduced to 32 × 32 and described by 41 appearance features — colour means and spreads,
/// luma and gradient histograms, sharpness relative to contrast, noise, colourfulness, a 4 × 4
/// luma layout, aspect —, and a logistic regression is trained and scored in 5 folds: the AUC of
/// its held-out scores is the cell's figure (0.5: indistinguishable; 1: always told apart).
///
/// It answers "does this cell's synthetic data look like the real data?" cheaply (seconds, no
/// network to train) and in a way that can be read: a cell at 0.98 is one where a detector
/// trained on synthetic objects sees something the real ones never show.
public enum DomainGap {
    /// Fewer objects than this on either side give no figure.
    public static let minimumPerSide = 10
    /// At most this many objects per side of a cell are used (chosen by a stable hash, so the
    /// same data gives the same figure).
    public static let maximumPerSide = 150
    /// Boxes smaller than this on a side are left out (a few pixels say little about appearance).
    public static let minimumBoxSide = 8.0
    static let cropSide = 32
    static let folds = 5

    struct Object {
        var part: Int
        var sample: Int
        var box: BoundingBox?
        var row: String
        var column: String
        var synthetic: Bool
        var order: UInt64
    }

    /// The gap of every cell of `spec` with real and synthetic objects, and of every such row as a
    /// whole (column `DomainGapCell.wholeRow`), over `datasets` (those the view counts).
    public static func measure(spec: CoverageSpec, datasets: [(name: String, dataset: Dataset)]) -> [DomainGapCell] {
        var objects: [Object] = []
        for (p, part) in datasets.enumerated() {
            let names = part.dataset.categoriesByID
            for (s, sample) in part.dataset.samples.enumerated() {
                for (a, annotation) in sample.annotations.enumerated() where !annotation.isIgnored {
                    if let box = annotation.box, box.width < minimumBoxSide || box.height < minimumBoxSide { continue }
                    var hash = StableHash()
                    hash.combine("\(part.name)/\(sample.path)#\(a)")
                    objects.append(
                        Object(
                            part: p, sample: s, box: annotation.box, row: spec.rows.value(annotation, sample, part.dataset, names),
                            column: spec.columns.map { $0.value(annotation, sample, part.dataset, names) } ?? DomainGapCell.wholeRow,
                            synthetic: sample.origin == .synthetic, order: hash.value))
                }
            }
        }
        // Groups: each cell, and each row as a whole when the view has columns.
        var groups: [String: (row: String, column: String, members: [Int])] = [:]
        for (i, o) in objects.enumerated() {
            groups["\(o.row)\u{1F}\(o.column)", default: (o.row, o.column, [])].members.append(i)
            if spec.columns != nil { groups["\(o.row)\u{1F}\u{1F}all", default: (o.row, DomainGapCell.wholeRow, [])].members.append(i) }
        }
        // Only objects some group will use are described.
        var chosen: [String: (real: [Int], synthetic: [Int])] = [:]
        var needed = Set<Int>()
        for (key, group) in groups {
            let real = group.members.filter { !objects[$0].synthetic }, synthetic = group.members.filter { objects[$0].synthetic }
            guard !real.isEmpty, !synthetic.isEmpty else { continue }
            func pick(_ list: [Int]) -> [Int] { Array(list.sorted { objects[$0].order < objects[$1].order }.prefix(maximumPerSide)) }
            let picked = (pick(real), pick(synthetic))
            chosen[key] = picked
            if picked.0.count >= minimumPerSide, picked.1.count >= minimumPerSide { needed.formUnion(picked.0 + picked.1) }
        }
        let features = describe(objects, needed: needed, datasets: datasets.map(\.dataset))
        var cells: [DomainGapCell] = []
        for (key, group) in groups.sorted(by: { $0.key < $1.key }) {
            let real = group.members.count { !objects[$0].synthetic }
            let synthetic = group.members.count - real
            guard real > 0, synthetic > 0 else { continue }
            var auc: Double?
            if let picked = chosen[key] {
                let r = picked.real.compactMap { features[$0] }, s = picked.synthetic.compactMap { features[$0] }
                if r.count >= minimumPerSide, s.count >= minimumPerSide { auc = Self.auc(real: r, synthetic: s) }
            }
            cells.append(
                DomainGapCell(
                    rowAxis: spec.rows.description, columnAxis: spec.columns?.description ?? "", row: group.row, column: group.column,
                    auc: auc, real: real, synthetic: synthetic))
        }
        return cells
    }

    /// Features of the `needed` objects, decoding each image once (all cores); an object whose
    /// image cannot be decoded has none.
    static func describe(_ objects: [Object], needed: Set<Int>, datasets: [Dataset]) -> [Int: [Double]] {
        var byImage: [Int: [Int]] = [:]
        var images: [(part: Int, sample: Int)] = []
        var imageIndex: [Int: Int] = [:]
        for i in needed.sorted() {
            let o = objects[i]
            let key = o.part << 40 | o.sample
            if imageIndex[key] == nil {
                imageIndex[key] = images.count
                images.append((o.part, o.sample))
            }
            byImage[imageIndex[key]!, default: []].append(i)
        }
        let described = Parallel.map(images.count) { k -> [(Int, [Double])] in
            let (part, s) = images[k]
            let sample = datasets[part].samples[s]
            guard let image = try? ImageFile.readForDisplay(datasets[part].imagePath(of: sample), minWidth: 1024, minHeight: 1024)
            else { return [] }
            // Boxes are in the sample's pixels; the decoded image may be reduced.
            let scaleX = sample.width > 0 ? Double(image.width) / Double(sample.width) : 1
            let scaleY = sample.height > 0 ? Double(image.height) / Double(sample.height) : 1
            let rgb = image.rgb8()
            return (byImage[k] ?? []).compactMap { i in
                let box = objects[i].box.map {
                    BoundingBox(x: $0.x * scaleX, y: $0.y * scaleY, width: $0.width * scaleX, height: $0.height * scaleY)
                }
                return features(rgb, width: image.width, height: image.height, box: box).map { (i, $0) }
            }
        }
        var out: [Int: [Double]] = [:]
        for list in described { for (i, f) in list { out[i] = f } }
        return out
    }

    /// The 41 features of `box` (with a 10 % margin, clamped to the image) or of the whole image.
    static func features(_ rgb: [UInt8], width: Int, height: Int, box: BoundingBox?) -> [Double]? {
        var (x0, y0, x1, y1) = (0.0, 0.0, Double(width), Double(height))
        if let b = box {
            let (mx, my) = (b.width * 0.1, b.height * 0.1)
            (x0, y0, x1, y1) = (max(0, b.x - mx), max(0, b.y - my), min(Double(width), b.maxX + mx), min(Double(height), b.maxY + my))
        }
        guard x1 - x0 >= 2, y1 - y0 >= 2 else { return nil }
        let n = cropSide
        // Bilinear samples of the crop at n × n.
        var r = [Double](repeating: 0, count: n * n), g = r, bl = r
        for y in 0..<n {
            let sy = min(Double(height - 1), max(0, y0 + (Double(y) + 0.5) * (y1 - y0) / Double(n) - 0.5))
            let (ya, fy) = (Int(sy), sy - Double(Int(sy)))
            let yb = min(height - 1, ya + 1)
            for x in 0..<n {
                let sx = min(Double(width - 1), max(0, x0 + (Double(x) + 0.5) * (x1 - x0) / Double(n) - 0.5))
                let (xa, fx) = (Int(sx), sx - Double(Int(sx)))
                let xb = min(width - 1, xa + 1)
                func at(_ c: Int) -> Double {
                    let p00 = Double(rgb[(ya * width + xa) * 3 + c]), p01 = Double(rgb[(ya * width + xb) * 3 + c])
                    let p10 = Double(rgb[(yb * width + xa) * 3 + c]), p11 = Double(rgb[(yb * width + xb) * 3 + c])
                    return ((p00 * (1 - fx) + p01 * fx) * (1 - fy) + (p10 * (1 - fx) + p11 * fx) * fy) / 255
                }
                (r[y * n + x], g[y * n + x], bl[y * n + x]) = (at(0), at(1), at(2))
            }
        }
        let count = Double(n * n)
        func meanStd(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / count
            return (m, (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / count).squareRoot())
        }
        var f: [Double] = []
        for channel in [r, g, bl] {
            let (m, s) = meanStd(channel)
            f += [m, s]
        }
        let luma = (0..<(n * n)).map { 0.299 * r[$0] + 0.587 * g[$0] + 0.114 * bl[$0] }
        var histogram = [Double](repeating: 0, count: 8)
        for v in luma { histogram[min(7, Int(v * 8))] += 1 / count }
        f += histogram
        // Gradient magnitudes in 6 log-spaced bins, Laplacian and noise (Immerkær) on the interior.
        var gradients = [Double](repeating: 0, count: 6)
        var lap = 0.0, lap2 = 0.0, noise = 0.0
        for y in 1..<(n - 1) {
            for x in 1..<(n - 1) {
                let c = luma[y * n + x]
                let (l, rr, u, d) = (luma[y * n + x - 1], luma[y * n + x + 1], luma[(y - 1) * n + x], luma[(y + 1) * n + x])
                let magnitude = (((rr - l) / 2) * ((rr - l) / 2) + ((d - u) / 2) * ((d - u) / 2)).squareRoot()
                gradients[min(5, max(0, Int(log2(max(magnitude, 1e-6) / 0.002))))] += 1
                let laplacian = l + rr + u + d - 4 * c
                lap += laplacian
                lap2 += laplacian * laplacian
                let corners = luma[(y - 1) * n + x - 1] + luma[(y - 1) * n + x + 1] + luma[(y + 1) * n + x - 1] + luma[(y + 1) * n + x + 1]
                noise += abs(corners - 2 * (l + rr + u + d) + 4 * c)
            }
        }
        let inner = Double((n - 2) * (n - 2))
        f += gradients.map { $0 / inner }
        let (lumaMean, lumaStd) = meanStd(luma)
        let lapVariance = max(0, lap2 / inner - (lap / inner) * (lap / inner))
        f.append(log((lapVariance + 1e-8) / (lumaStd * lumaStd + 1e-6)))
        f.append(log(noise * (Double.pi / 2).squareRoot() / (6 * inner) + 1e-4))
        // Colourfulness (Hasler and Süsstrunk) and mean saturation.
        let rg = (0..<(n * n)).map { r[$0] - g[$0] }, yb = (0..<(n * n)).map { 0.5 * (r[$0] + g[$0]) - bl[$0] }
        let (mrg, srg) = meanStd(rg), (myb, syb) = meanStd(yb)
        f.append((srg * srg + syb * syb).squareRoot() + 0.3 * (mrg * mrg + myb * myb).squareRoot())
        f.append(
            (0..<(n * n)).reduce(0.0) { s, i in
                let high = max(r[i], g[i], bl[i]), low = min(r[i], g[i], bl[i])
                return s + (high > 1e-6 ? (high - low) / high : 0)
            } / count)
        // Layout: 4 × 4 luma means about the crop's mean.
        let cell = n / 4
        for by in 0..<4 {
            for bx in 0..<4 {
                var s = 0.0
                for y in (by * cell)..<((by + 1) * cell) { for x in (bx * cell)..<((bx + 1) * cell) { s += luma[y * n + x] } }
                f.append(s / Double(cell * cell) - lumaMean)
            }
        }
        f.append(log((x1 - x0) / (y1 - y0)))
        return f
    }

    /// The held-out AUC of a logistic regression telling `real` (label 0) from `synthetic`
    /// (label 1): stratified folds by a fixed interleaving, features standardised on each
    /// training fold, the scores of every held-out object pooled into one ROC.
    public static func auc(real: [[Double]], synthetic: [[Double]]) -> Double {
        let samples = real.map { ($0, 0.0) } + synthetic.map { ($0, 1.0) }
        // Fold k holds every folds-th object of each side, so both sides are in every fold.
        let fold = real.indices.map { $0 % folds } + synthetic.indices.map { $0 % folds }
        var scores = [Double](repeating: 0, count: samples.count)
        for k in 0..<folds {
            let train = samples.indices.filter { fold[$0] != k }, test = samples.indices.filter { fold[$0] == k }
            guard !test.isEmpty, Set(train.map { samples[$0].1 }).count == 2 else { continue }
            let model = Logistic(train.map { samples[$0].0 }, labels: train.map { samples[$0].1 })
            for i in test { scores[i] = model.score(samples[i].0) }
        }
        return rocAUC(scores: scores, labels: samples.map(\.1))
    }

    /// Area under the ROC curve by the rank-sum (Mann–Whitney) statistic, ties at mid-rank.
    static func rocAUC(scores: [Double], labels: [Double]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        let positives = labels.filter { $0 == 1 }.count, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        let rankSum = zip(ranks, labels).filter { $0.1 == 1 }.reduce(0) { $0 + $1.0 }
        return (rankSum - Double(positives * (positives + 1)) / 2) / Double(positives * negatives)
    }

    /// L2-regularised logistic regression on standardised features, fitted by gradient descent.
    struct Logistic {
        var mean: [Double]
        var scale: [Double]
        var weights: [Double]
        var bias = 0.0

        init(_ x: [[Double]], labels y: [Double], iterations: Int = 300, rate: Double = 0.5, l2: Double = 0.01) {
            let d = x.first?.count ?? 0, count = Double(x.count)
            mean = (0..<d).map { j in x.reduce(0) { $0 + $1[j] } / count }
            scale = (0..<d).map { j in
                let m = x.reduce(0) { $0 + $1[j] } / count
                let s = (x.reduce(0) { $0 + ($1[j] - m) * ($1[j] - m) } / count).squareRoot()
                return s > 1e-9 ? 1 / s : 0
            }
            weights = [Double](repeating: 0, count: d)
            let z = x.map { row in (0..<d).map { (row[$0] - mean[$0]) * scale[$0] } }
            for _ in 0..<iterations {
                var gradient = [Double](repeating: 0, count: d)
                var gradientBias = 0.0
                for (row, label) in zip(z, y) {
                    let error = Self.sigmoid(zip(row, weights).reduce(bias) { $0 + $1.0 * $1.1 }) - label
                    for j in 0..<d { gradient[j] += error * row[j] }
                    gradientBias += error
                }
                for j in 0..<d { weights[j] -= rate * (gradient[j] / count + l2 * weights[j]) }
                bias -= rate * gradientBias / count
            }
        }

        static func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

        func score(_ row: [Double]) -> Double {
            (0..<weights.count).reduce(bias) { $0 + (row[$1] - mean[$1]) * scale[$1] * weights[$1] }
        }
    }
}
