/// One ground-truth object for average precision.
public struct GroundTruthBox: Sendable, Hashable {
    /// Which image it is on; images are evaluated in ascending order (COCO's sorted image ids).
    public var image: Int
    public var category: Int
    /// `[x, y, width, height]` in pixels, origin top-left.
    public var box: (x: Double, y: Double, width: Double, height: Double)
    /// The area that decides its size class (COCO's `area` field: the mask's area when there is one).
    public var area: Double
    /// A crowd or ignore region: detections on it are neither true nor false positives.
    public var isCrowd: Bool
    /// Left out of this evaluation (outside the condition scored, as COCO leaves out objects
    /// outside an area range): a detection matching it is not counted, a miss of it is no miss.
    public var isExcluded: Bool

    public init(
        image: Int, category: Int, box: (x: Double, y: Double, width: Double, height: Double), area: Double, isCrowd: Bool = false,
        isExcluded: Bool = false
    ) {
        self.image = image
        self.category = category
        self.box = box
        self.area = area
        self.isCrowd = isCrowd
        self.isExcluded = isExcluded
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.image == b.image && a.category == b.category && a.box == b.box && a.area == b.area && a.isCrowd == b.isCrowd
            && a.isExcluded == b.isExcluded
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(image)
        hasher.combine(category)
        hasher.combine(box.x)
        hasher.combine(box.y)
    }
}

/// One detection for average precision.
public struct DetectedBox: Sendable {
    public var image: Int
    public var category: Int
    /// `[x, y, width, height]` in pixels; its area (width × height) decides its size class.
    public var box: (x: Double, y: Double, width: Double, height: Double)
    public var score: Double

    public init(image: Int, category: Int, box: (x: Double, y: Double, width: Double, height: Double), score: Double) {
        self.image = image
        self.category = category
        self.box = box
        self.score = score
    }
}

/// The figures of COCO's detection summary, plus AP per category.
public struct DetectionScores: Sendable, Equatable {
    /// The twelve numbers `COCOeval.summarize()` prints, in its order: AP@[.5:.95], AP50, AP75,
    /// AP small / medium / large, AR@1, AR@10, AR@100, AR small / medium / large. −1 where COCO
    /// prints −1 (no ground truth of that kind).
    public var stats: [Double]
    /// AP@[.5:.95] and AP50 per category, in the order of `categories` given to `evaluate`
    /// (−1 for a category without ground truth).
    public var perCategoryAP: [Double]
    public var perCategoryAP50: [Double]
    /// Non-ignored ground-truth objects per category.
    public var groundTruthCounts: [Int]

    public var ap: Double { stats[0] }
    public var ap50: Double { stats[1] }
    public var ap75: Double { stats[2] }
    public var apSmall: Double { stats[3] }
    public var apMedium: Double { stats[4] }
    public var apLarge: Double { stats[5] }
}

/// COCO-style average precision for boxes, computed the way pycocotools' `COCOeval` does
/// (`iouType='bbox'`), so the figures can be compared with any paper's: IoU thresholds .50:.05:.95,
/// 101 recall points with precision made monotone, at most 1 / 10 / 100 detections per image,
/// areas small < 32², medium < 96², large; greedy matching by score with crowd regions absorbing
/// any number of detections (IoU with a crowd is intersection over the detection's area).
/// A test holds it to `COCOeval` on recorded detections.
public enum DetectionAP {
    public static let iouThresholds: [Double] = linspace(0.5, 0.95, 10)
    public static let recallThresholds: [Double] = linspace(0, 1, 101)
    public static let maxDetections = [1, 10, 100]
    /// `all`, `small`, `medium`, `large`, inclusive at both ends as in `COCOeval`.
    public static let areaRanges: [ClosedRange<Double>] = [0...1e10, 0...1024, 1024...9216, 9216...1e10]

    /// numpy's `linspace` (step multiplied, last value exact), so thresholds compare equal with COCO's.
    static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : Double($0) * step + start }
    }

    /// Scores `detections` against `groundTruth` over `images` (ids; others are left out) and
    /// `categories` (ids, reported in this order).
    public static func evaluate(
        groundTruth: [GroundTruthBox], detections: [DetectedBox], images: [Int], categories: [Int]
    ) -> DetectionScores {
        let imageIDs = Array(Set(images)).sorted()
        let imageIndex = Dictionary(uniqueKeysWithValues: imageIDs.enumerated().map { ($1, $0) })
        let categoryIndex = Dictionary(categories.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let K = categories.count
        let I = imageIDs.count
        var gts = [[GroundTruthBox]](repeating: [], count: K * I)
        var dts = [[DetectedBox]](repeating: [], count: K * I)
        for g in groundTruth {
            guard let i = imageIndex[g.image], let k = categoryIndex[g.category] else { continue }
            gts[k * I + i].append(g)
        }
        for d in detections {
            guard let i = imageIndex[d.image], let k = categoryIndex[d.category] else { continue }
            dts[k * I + i].append(d)
        }
        let largest = maxDetections.last!
        let T = iouThresholds.count
        let R = recallThresholds.count
        let A = areaRanges.count
        let M = maxDetections.count
        // precision[t][r][k][a][m] and recall[t][k][a][m], −1 where undefined, as in COCOeval.
        var precision = [Double](repeating: -1, count: T * R * K * A * M)
        var recall = [Double](repeating: -1, count: T * K * A * M)

        for k in 0..<K {
            // Per image: detections sorted by score (stable) and cut to the largest limit, and the IoUs.
            let perImage: [(dt: [DetectedBox], gt: [GroundTruthBox], ious: [Double])] = (0..<I).map { i in
                let dt = Array(stableSortedByScore(dts[k * I + i]).prefix(largest))
                let gt = gts[k * I + i]
                return (dt, gt, iou(dt, gt))
            }
            for (a, range) in areaRanges.enumerated() {
                let matched = perImage.map { match($0.dt, $0.gt, ious: $0.ious, area: range, limit: largest) }
                for (m, limit) in maxDetections.enumerated() {
                    var scores = [Double]()
                    var isMatched = [[Bool]](repeating: [], count: T)
                    var isIgnored = [[Bool]](repeating: [], count: T)
                    var relevant = 0
                    var any = false
                    for e in matched {
                        guard let e else { continue }
                        any = true
                        let n = min(limit, e.scores.count)
                        scores += e.scores[0..<n]
                        for t in 0..<T {
                            isMatched[t] += e.matched[t][0..<n]
                            isIgnored[t] += e.ignored[t][0..<n]
                        }
                        relevant += e.gtIgnored.count { !$0 }
                    }
                    guard any, relevant > 0 else { continue }
                    let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                    for t in 0..<T {
                        var tp = 0.0
                        var fp = 0.0
                        var rc = [Double]()
                        var pr = [Double]()
                        for j in order where !isIgnored[t][j] {
                            if isMatched[t][j] { tp += 1 } else { fp += 1 }
                            rc.append(tp / Double(relevant))
                            pr.append(tp / (fp + tp + Double.ulpOfOne))
                        }
                        // COCO keeps ignored detections in the cumulative sums as zero steps;
                        // they change neither recall nor precision, so skipping them is the same curve
                        // except for repeated points, which `searchsorted` also skips over.
                        recall[((t * K + k) * A + a) * M + m] = rc.last ?? 0
                        if pr.count > 1 {
                            for j in stride(from: pr.count - 1, to: 0, by: -1) where pr[j] > pr[j - 1] { pr[j - 1] = pr[j] }
                        }
                        var position = 0
                        for (r, threshold) in recallThresholds.enumerated() {
                            while position < rc.count && rc[position] < threshold { position += 1 }
                            precision[(((t * R + r) * K + k) * A + a) * M + m] = position < pr.count ? pr[position] : 0
                        }
                    }
                }
            }
        }

        func mean(_ values: [Double]) -> Double {
            let defined = values.filter { $0 > -1 }
            return defined.isEmpty ? -1 : defined.reduce(0, +) / Double(defined.count)
        }
        func ap(thresholds: [Int], categories ks: [Int], area a: Int, limit m: Int) -> Double {
            var values = [Double]()
            for t in thresholds { for r in 0..<R { for k in ks { values.append(precision[(((t * R + r) * K + k) * A + a) * M + m]) } } }
            return mean(values)
        }
        func ar(area a: Int, limit m: Int) -> Double {
            var values = [Double]()
            for t in 0..<T { for k in 0..<K { values.append(recall[((t * K + k) * A + a) * M + m]) } }
            return mean(values)
        }
        let all = Array(0..<T)
        let ks = Array(0..<K)
        let stats = [
            ap(thresholds: all, categories: ks, area: 0, limit: 2), ap(thresholds: [0], categories: ks, area: 0, limit: 2),
            ap(thresholds: [5], categories: ks, area: 0, limit: 2), ap(thresholds: all, categories: ks, area: 1, limit: 2),
            ap(thresholds: all, categories: ks, area: 2, limit: 2), ap(thresholds: all, categories: ks, area: 3, limit: 2),
            ar(area: 0, limit: 0), ar(area: 0, limit: 1), ar(area: 0, limit: 2), ar(area: 1, limit: 2), ar(area: 2, limit: 2),
            ar(area: 3, limit: 2),
        ]
        var counts = [Int](repeating: 0, count: K)
        for k in 0..<K { for i in 0..<I { counts[k] += gts[k * I + i].count { !$0.isCrowd && !$0.isExcluded } } }
        return DetectionScores(
            stats: stats, perCategoryAP: ks.map { ap(thresholds: all, categories: [$0], area: 0, limit: 2) },
            perCategoryAP50: ks.map { ap(thresholds: [0], categories: [$0], area: 0, limit: 2) }, groundTruthCounts: counts)
    }

    /// Detections by descending score, ties in their original order (numpy's mergesort).
    static func stableSortedByScore(_ detections: [DetectedBox]) -> [DetectedBox] {
        detections.indices.sorted {
            detections[$0].score > detections[$1].score || (detections[$0].score == detections[$1].score && $0 < $1)
        }.map { detections[$0] }
    }

    /// IoU of every detection with every ground truth, `[d * gt.count + g]`; against a crowd region
    /// the union is the detection's own area (pycocotools' `maskUtils.iou` for boxes).
    static func iou(_ dt: [DetectedBox], _ gt: [GroundTruthBox]) -> [Double] {
        var result = [Double](repeating: 0, count: dt.count * gt.count)
        for (d, det) in dt.enumerated() {
            let da = det.box.width * det.box.height
            for (g, truth) in gt.enumerated() {
                let iw = min(det.box.x + det.box.width, truth.box.x + truth.box.width) - max(det.box.x, truth.box.x)
                guard iw > 0 else { continue }
                let ih = min(det.box.y + det.box.height, truth.box.y + truth.box.height) - max(det.box.y, truth.box.y)
                guard ih > 0 else { continue }
                let intersection = iw * ih
                let union = truth.isCrowd ? da : da + truth.box.width * truth.box.height - intersection
                result[d * gt.count + g] = intersection / union
            }
        }
        return result
    }

    /// One image and category at one area range: which detections match (per IoU threshold),
    /// which are ignored, and which ground truths are ignored (`COCOeval.evaluateImg`).
    struct ImageMatch {
        var scores: [Double]
        var matched: [[Bool]]
        var ignored: [[Bool]]
        var gtIgnored: [Bool]
    }

    static func match(
        _ dt: [DetectedBox], _ gtUnordered: [GroundTruthBox], ious: [Double], area range: ClosedRange<Double>, limit: Int
    ) -> ImageMatch? {
        guard !dt.isEmpty || !gtUnordered.isEmpty else { return nil }
        let ignoredFirst = gtUnordered.map { $0.isCrowd || $0.isExcluded || !range.contains($0.area) }
        // Non-ignored ground truth first, keeping the order within each group.
        let gtOrder = gtUnordered.indices.filter { !ignoredFirst[$0] } + gtUnordered.indices.filter { ignoredFirst[$0] }
        let gt = gtOrder.map { gtUnordered[$0] }
        let gtIgnored = gtOrder.map { ignoredFirst[$0] }
        let G = gtUnordered.count
        let dets = Array(dt.prefix(limit))
        let T = iouThresholds.count
        var matched = [[Bool]](repeating: [Bool](repeating: false, count: dets.count), count: T)
        var ignored = matched
        for (t, threshold) in iouThresholds.enumerated() {
            var gtTaken = [Bool](repeating: false, count: gt.count)
            for d in dets.indices {
                var best = min(threshold, 1 - 1e-10)
                var m = -1
                for g in gt.indices {
                    if gtTaken[g] && !gt[g].isCrowd { continue }
                    if m > -1 && !gtIgnored[m] && gtIgnored[g] { break }
                    let value = ious[d * G + gtOrder[g]]
                    if value < best { continue }
                    best = value
                    m = g
                }
                guard m >= 0 else { continue }
                ignored[t][d] = gtIgnored[m]
                matched[t][d] = true
                gtTaken[m] = true
            }
            for d in dets.indices where !matched[t][d] {
                let a = dets[d].box.width * dets[d].box.height
                if !range.contains(a) { ignored[t][d] = true }
            }
        }
        return ImageMatch(scores: dets.map(\.score), matched: matched, ignored: ignored, gtIgnored: gtIgnored)
    }
}
