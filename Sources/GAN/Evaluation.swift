public import Datasets
public import NeuralNet
internal import StudioCore

/// A figure measured once per seed: its mean and spread (sample standard deviation; 0 for one seed).
public struct Measured: Sendable, Equatable {
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }

    /// Mean of the finite values; NaN when there are none.
    public var mean: Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    public var spread: Double {
        let finite = values.filter(\.isFinite)
        guard finite.count > 1 else { return finite.isEmpty ? .nan : 0 }
        let m = mean
        return (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(finite.count - 1)).squareRoot()
    }

    /// The same figure per seed across a list of per-seed lists (`[seed][class]` → `[class]`).
    static func transposed(_ perSeed: [[Double]]) -> [Measured] {
        guard let first = perSeed.first else { return [] }
        return first.indices.map { i in Measured(perSeed.map { $0[i] }) }
    }
}

/// How close the synthetic images of one class come to the held-out real ones, beside the same
/// figures for real images against real images (the held-out class split in two halves): the
/// floor a perfect generator would reach with that many images.
public struct ClassComparison: Sendable {
    public var className: String
    /// Fréchet distance of the synthetic images (as many as one half holds) to the second half.
    public var frechetDistance: Measured
    /// Fréchet distance of the first half to the second: the real-vs-real floor.
    public var frechetReference: Measured
    /// k-NN precision (fidelity) and recall (coverage) against the second half; and the floor.
    public var precision: Measured
    public var recall: Measured
    public var precisionReference: Measured
    public var recallReference: Measured
    /// Mean pairwise feature distance of the synthetic images over that of the held-out real ones.
    public var diversity: Measured
    public var synthetic: Int
    public var heldOut: Int

    /// FD over the real-vs-real floor: 1 is as close as real images come to each other.
    public var relativeFrechet: Double { frechetDistance.mean / max(frechetReference.mean, 1e-12) }
}

/// How useful generated images are, judged the way the field does: by a classifier trained with
/// the same library on real, synthetic, and real + synthetic images, tested on held-out real ones
/// (TSTR: train on synthetic, test on real), and by distances in the real classifier's feature
/// space between synthetic and held-out real images. Every figure is a mean over `seeds`
/// classifiers with its spread.
public struct EvaluationReport: Sendable {
    public var classes: [String]
    /// Classes the synthetic data has (Fréchet distance, precision and recall compare held-out
    /// real images of these classes only).
    public var syntheticClasses: [String]
    public var seeds: Int
    public var trtrAccuracy: Measured
    public var tstrAccuracy: Measured
    public var combinedAccuracy: Measured
    /// Held-out recall per class for the classifiers trained on real data and on real + synthetic.
    public var recallRealOnly: [Measured]
    public var recallCombined: [Measured]
    public var recallSyntheticOnly: [Measured]
    /// Held-out precision per class for the same three classifiers: of the images each called
    /// the class, the share that are.
    public var precisionRealOnly: [Measured]
    public var precisionCombined: [Measured]
    public var precisionSyntheticOnly: [Measured]
    /// Synthetic vs held-out real over all synthetic classes, and the real-vs-real floor.
    public var overall: ClassComparison
    /// The same per synthetic class.
    public var perClass: [ClassComparison]
    public var counts: (real: Int, synthetic: Int, holdout: Int)
}

public enum Evaluation {
    /// Trains three classifiers per seed (seeds `seed`, `seed + 1`, …, so reruns agree) and
    /// measures the synthetic data against the held-out real images. `progress` gets each stage;
    /// `stepped` the training steps done of all there are.
    public static func run(
        real realDataset: Dataset, synthetic syntheticDataset: Dataset, holdout holdoutDataset: Dataset, seed: UInt64 = 1,
        steps: Int = 600, seeds: Int = 3, progress: (String) -> Void = { _ in }, stepped: (Int, Int) -> Void = { _, _ in }
    ) throws(GANError) -> EvaluationReport {
        guard (1...20).contains(seeds) else { throw GANError(.settings, "--seeds must be between 1 and 20") }
        let probe = try LabelledImages(dataset: realDataset, side: 16)
        let side = max(probe.nativeWidth, probe.nativeHeight) <= 16 ? 16 : 32
        let real = side == 16 ? probe : try LabelledImages(dataset: realDataset, side: side)
        let synthetic = try LabelledImages(dataset: syntheticDataset, side: side, classes: real.classes)
        let holdout = try LabelledImages(dataset: holdoutDataset, side: side, classes: real.classes)
        guard synthetic.channels == real.channels, holdout.channels == real.channels else {
            throw GANError(
                .data,
                "the datasets differ in channels (real \(real.channels), synthetic \(synthetic.channels), holdout \(holdout.channels))")
        }
        let classCount = real.classes.count
        let present = Set(synthetic.labels).sorted()
        let total = 3 * seeds * steps
        var done = 0
        var accuracies: [[Double]] = [[], [], []]
        var recalls: [[[Double]]] = [[], [], []], precisions: [[[Double]]] = [[], [], []]
        var overall: [Comparison] = []
        var perClass: [[Comparison]] = []
        let combinedImages = Tensor.concatenating([real.images, synthetic.images])
        let combinedLabels = real.labels + synthetic.labels
        for k in 0..<seeds {
            let s = seed &+ UInt64(k)
            let tag = seeds > 1 ? " (seed \(k + 1) of \(seeds))" : ""
            var classifiers: [Classifier] = []
            for (name, images, labels) in [
                ("real", real.images, real.labels), ("synthetic", synthetic.images, synthetic.labels),
                ("real + synthetic", combinedImages, combinedLabels),
            ] {
                progress("training on \(name) images\(tag)")
                let classifier = Classifier(channels: real.channels, classes: classCount, seed: s)
                let before = done
                classifier.train(images, labels: labels, steps: steps, seed: s) { step in
                    done = before + step
                    stepped(done, total)
                }
                done = before + steps
                classifiers.append(classifier)
            }
            for (i, classifier) in classifiers.enumerated() {
                let score = score(classifier, holdout, classes: classCount)
                accuracies[i].append(score.accuracy)
                recalls[i].append(score.recall)
                precisions[i].append(score.precision)
            }
            progress("comparing features\(tag)")
            let realClassifier = classifiers[0]
            let syntheticFeatures = realClassifier.features(synthetic.images)
            let holdoutFeatures = realClassifier.features(holdout.images)
            func rows(_ labels: [Int], _ keep: Set<Int>) -> [Int] { labels.indices.filter { keep.contains(labels[$0]) } }
            overall.append(
                compare(
                    synthetic: syntheticFeatures.gathering(rows(synthetic.labels, Set(present))),
                    heldOut: holdoutFeatures.gathering(rows(holdout.labels, Set(present)))))
            perClass.append(
                present.map { c in
                    compare(
                        synthetic: syntheticFeatures.gathering(rows(synthetic.labels, [c])),
                        heldOut: holdoutFeatures.gathering(rows(holdout.labels, [c])))
                })
        }
        return EvaluationReport(
            classes: real.classes, syntheticClasses: present.map { real.classes[$0] }, seeds: seeds,
            trtrAccuracy: Measured(accuracies[0]), tstrAccuracy: Measured(accuracies[1]), combinedAccuracy: Measured(accuracies[2]),
            recallRealOnly: Measured.transposed(recalls[0]), recallCombined: Measured.transposed(recalls[2]),
            recallSyntheticOnly: Measured.transposed(recalls[1]), precisionRealOnly: Measured.transposed(precisions[0]),
            precisionCombined: Measured.transposed(precisions[2]), precisionSyntheticOnly: Measured.transposed(precisions[1]),
            overall: Comparison.measured(overall, name: "all", synthetic: synthetic.labels.count, heldOut: holdout.labels.count),
            perClass: present.indices.map { i in
                Comparison.measured(
                    perClass.map { $0[i] }, name: real.classes[present[i]],
                    synthetic: synthetic.labels.filter { $0 == present[i] }.count,
                    heldOut: holdout.labels.filter { $0 == present[i] }.count)
            },
            counts: (real.labels.count, synthetic.labels.count, holdout.labels.count))
    }

    /// Accuracy, per-class recall and per-class precision on the held-out images.
    static func score(_ classifier: Classifier, _ holdout: LabelledImages, classes: Int) -> Score {
        score(predicted: classifier.predict(holdout.images), truth: holdout.labels, classes: classes)
    }

    struct Score {
        var accuracy: Double
        /// Per class: the share of its images called it (NaN for a class with none).
        var recall: [Double]
        /// Per class: the share of the images called it that are it (NaN where none was) — what a
        /// class's recall can cost the others: samples that teach the classifier to call anything
        /// odd the rare class raise its recall and lower its precision.
        var precision: [Double]
    }

    static func score(predicted: [Int], truth: [Int], classes: Int) -> Score {
        var hits = [Int](repeating: 0, count: classes)
        var totals = [Int](repeating: 0, count: classes)
        var called = [Int](repeating: 0, count: classes)
        for (p, t) in zip(predicted, truth) {
            totals[t] += 1
            called[p] += 1
            if p == t { hits[t] += 1 }
        }
        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? .nan : Double(part) / Double(whole) }
        return Score(
            accuracy: Double(hits.reduce(0, +)) / Double(max(1, truth.count)), recall: zip(hits, totals).map(share),
            precision: zip(hits, called).map(share))
    }

    /// One seed's figures for one set of classes.
    struct Comparison {
        var frechet = Double.nan, frechetReference = Double.nan
        var precision = Double.nan, recall = Double.nan, precisionReference = Double.nan, recallReference = Double.nan
        var diversity = Double.nan

        static func measured(_ seeds: [Comparison], name: String, synthetic: Int, heldOut: Int) -> ClassComparison {
            ClassComparison(
                className: name, frechetDistance: Measured(seeds.map(\.frechet)), frechetReference: Measured(seeds.map(\.frechetReference)),
                precision: Measured(seeds.map(\.precision)), recall: Measured(seeds.map(\.recall)),
                precisionReference: Measured(seeds.map(\.precisionReference)), recallReference: Measured(seeds.map(\.recallReference)),
                diversity: Measured(seeds.map(\.diversity)), synthetic: synthetic, heldOut: heldOut)
        }
    }

    /// The held-out features split in two halves (alternate rows): synthetic (as many as the first
    /// half, taken evenly) and the first half are each compared with the second, so both sides of
    /// the comparison have the same sample sizes and the same small-sample bias.
    static func compare(synthetic: Tensor, heldOut: Tensor) -> Comparison {
        var out = Comparison()
        let n = heldOut.batch
        guard n >= 4, synthetic.batch >= 2 else { return out }
        let first = heldOut.gathering(Array(stride(from: 0, to: n, by: 2)))
        let second = heldOut.gathering(Array(stride(from: 1, to: n, by: 2)))
        let m = min(first.batch, synthetic.batch)
        // Evenly spread picks: rows come grouped by class, so a prefix would be one class.
        func evenly(_ t: Tensor) -> Tensor { t.gathering((0..<m).map { $0 * t.batch / m }) }
        let (picked, reference) = (evenly(synthetic), evenly(first))
        out.frechet = FeatureStatistics.frechetDistance(picked, second)
        out.frechetReference = FeatureStatistics.frechetDistance(reference, second)
        let k = min(3, second.batch - 1)
        if k >= 1 {
            (out.precision, out.recall) = FeatureStatistics.precisionRecall(real: second, generated: picked, k: k)
            (out.precisionReference, out.recallReference) = FeatureStatistics.precisionRecall(
                real: second, generated: reference, k: k)
        }
        let spread = SampleJudge.meanPairwiseDistance(heldOut)
        out.diversity = spread > 0 ? SampleJudge.meanPairwiseDistance(synthetic) / spread : .nan
        return out
    }
}

/// A small CNN: three convolutions with batch norm and ReLU, global average pooling into 128
/// features, a linear layer to the classes. Trained with Adam on shuffled mini-batches.
final class Classifier {
    let body: Sequential
    let head: Linear

    init(channels: Int, classes: Int, seed: UInt64) {
        ProcessMemory.keepFreedBuffers()
        var random = RandomStream(seed: seed).derived(11)
        body = Sequential([
            Conv2d(channels, 32, kernel: 3, padding: 1, random: &random), BatchNorm2d(32), ReLU(),
            Conv2d(32, 64, kernel: 4, stride: 2, padding: 1, random: &random), BatchNorm2d(64), ReLU(),
            Conv2d(64, 128, kernel: 4, stride: 2, padding: 1, random: &random), BatchNorm2d(128), ReLU(),
            GlobalAveragePool(),
        ])
        head = Linear(128, classes, random: &random)
    }

    func train(_ images: Tensor, labels: [Int], steps: Int, batch: Int = 64, seed: UInt64, progress: (Int) -> Void = { _ in }) {
        let optimizer = Adam(body.parameters + head.parameters, learningRate: 1e-3)
        var random = RandomStream(seed: seed).derived(12)
        var order: [Int] = []
        for step in 0..<steps {
            if order.count < batch {
                var epoch = Array(labels.indices)
                epoch.shuffle(using: &random)
                order += epoch
            }
            let picked = Array(order.prefix(min(batch, labels.count)))
            order.removeFirst(picked.count)
            guard picked.count >= 2 else { break }
            optimizer.zeroGradients()
            let logits = head.forward(body.forward(images.gathering(picked), training: true), training: true)
            let loss = Loss.softmaxCrossEntropy(logits, labels: picked.map { labels[$0] })
            _ = body.backward(head.backward(loss.gradient))
            optimizer.update()
            if step % 25 == 24 { progress(step + 1) }
        }
    }

    /// Penultimate features `(N, 128)` in evaluation mode.
    func features(_ images: Tensor) -> Tensor {
        var parts: [Tensor] = []
        for start in stride(from: 0, to: images.batch, by: 256) {
            parts.append(body.forward(images.items(start..<min(images.batch, start + 256)), training: false))
        }
        return Tensor.concatenating(parts)
    }

    func predict(_ images: Tensor) -> [Int] {
        let logits = head.forward(features(images), training: false)
        let k = logits.itemCount
        return (0..<logits.batch).map { row in
            (0..<k).max { logits.storage[row * k + $0] < logits.storage[row * k + $1] }!
        }
    }
}

/// Distances between two sets of feature vectors `(N, D)`.
public enum FeatureStatistics {
    /// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½), with tr (Σ₁Σ₂)^½ = Σ √λ(A Σ₂ A), A = Σ₁^½.
    public static func frechetDistance(_ a: Tensor, _ b: Tensor) -> Double {
        let (meanA, covarianceA) = moments(a)
        let (meanB, covarianceB) = moments(b)
        let d = meanA.count
        var distance = zip(meanA, meanB).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        for i in 0..<d { distance += covarianceA[i * d + i] + covarianceB[i * d + i] }
        let root = SymmetricMatrix.squareRoot(covarianceA, size: d)
        let product = SymmetricMatrix.multiply(SymmetricMatrix.multiply(root, covarianceB, size: d), root, size: d)
        let traceRoot = SymmetricMatrix.eigenvalues(product, size: d).reduce(0) { $0 + max($1, 0).squareRoot() }
        return max(0, distance - 2 * traceRoot)
    }

    /// Improved precision and recall (Kynkäänniemi et al., 2019): the share of generated vectors
    /// inside some real vector's k-nearest-neighbour ball, and the share of real vectors inside
    /// some generated vector's ball.
    public static func precisionRecall(real: Tensor, generated: Tensor, k: Int) -> (precision: Double, recall: Double) {
        (coverage(of: generated, by: real, k: k), coverage(of: real, by: generated, k: k))
    }

    static func coverage(of queries: Tensor, by manifold: Tensor, k: Int) -> Double {
        let n = manifold.batch
        guard n > k, queries.batch > 0 else { return 0 }
        let d = manifold.itemCount
        func distance(_ x: [Float], _ i: Int, _ y: [Float], _ j: Int) -> Float {
            var sum: Float = 0
            for t in 0..<d {
                let diff = x[i * d + t] - y[j * d + t]
                sum += diff * diff
            }
            return sum
        }
        let points = manifold.storage
        let radii: [Float] = Parallel.map(n) { i in
            var nearest = [Float](repeating: .infinity, count: k)
            for j in 0..<n where j != i {
                let dist = distance(points, i, points, j)
                if dist < nearest[k - 1] {
                    nearest[k - 1] = dist
                    nearest.sort()
                }
            }
            return nearest[k - 1]
        }
        let query = queries.storage
        let inside: [Bool] = Parallel.map(queries.batch) { q in
            (0..<n).contains { distance(query, q, points, $0) <= radii[$0] }
        }
        return Double(inside.filter { $0 }.count) / Double(queries.batch)
    }

    /// Mean and covariance (divided by N − 1) in double precision.
    static func moments(_ x: Tensor) -> (mean: [Double], covariance: [Double]) {
        let (n, d) = (x.batch, x.itemCount)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(x.storage[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            let centered = (0..<d).map { Double(x.storage[i * d + $0]) - mean[$0] }
            for a in 0..<d { for b in a..<d { covariance[a * d + b] += centered[a] * centered[b] } }
        }
        for a in 0..<d {
            for b in a..<d {
                covariance[a * d + b] /= Double(max(n - 1, 1))
                covariance[b * d + a] = covariance[a * d + b]
            }
        }
        return (mean, covariance)
    }
}

/// Small dense symmetric-matrix routines (cyclic Jacobi), enough for 128 × 128 covariances.
enum SymmetricMatrix {
    static func multiply(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n where a[i * n + k] != 0 { for j in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] } } }
        return c
    }

    /// Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix.
    static func decompose(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<60 {
            var off: Double = 0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where abs(a[p * n + q]) > 1e-300 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let (akp, akq) = (a[k * n + p], a[k * n + q])
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let (apk, aqk) = (a[p * n + k], a[q * n + k])
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let (vkp, vkq) = (v[k * n + p], v[k * n + q])
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }

    static func eigenvalues(_ matrix: [Double], size n: Int) -> [Double] { decompose(matrix, size: n).values }

    /// The positive semi-definite square root (negative eigenvalues from rounding clipped to 0).
    static func squareRoot(_ matrix: [Double], size n: Int) -> [Double] {
        let (values, vectors) = decompose(matrix, size: n)
        var root = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            let s = max(values[k], 0).squareRoot()
            guard s > 0 else { continue }
            for i in 0..<n { for j in 0..<n { root[i * n + j] += vectors[i * n + k] * s * vectors[j * n + k] } }
        }
        return root
    }
}
