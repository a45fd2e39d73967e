public import Datasets
public import NeuralNet
internal import StudioCore

/// How useful generated images are, judged the way the field does: by a classifier trained with
/// the same library on real, synthetic, and real + synthetic images, tested on held-out real ones
/// (TSTR: train on synthetic, test on real), and by distances in that classifier's feature space.
public struct EvaluationReport: Sendable {
    public var classes: [String]
    /// Classes the synthetic data has (Fréchet distance, precision and recall compare real
    /// images of these classes only).
    public var syntheticClasses: [String]
    public var trtrAccuracy: Double
    public var tstrAccuracy: Double
    public var combinedAccuracy: Double
    /// Held-out recall per class for the classifiers trained on real data and on real + synthetic.
    public var recallRealOnly: [Double]
    public var recallCombined: [Double]
    public var recallSyntheticOnly: [Double]
    public var frechetDistance: Double
    public var precision: Double
    public var recall: Double
    public var counts: (real: Int, synthetic: Int, holdout: Int)
}

public enum Evaluation {
    /// Trains three classifiers (seeded, so reruns agree) and measures the synthetic data.
    public static func run(
        real realDataset: Dataset, synthetic syntheticDataset: Dataset, holdout holdoutDataset: Dataset, seed: UInt64 = 1,
        steps: Int = 600, progress: (String) -> Void = { _ in }
    ) throws(GANError) -> EvaluationReport {
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
        progress("training on real images")
        let realClassifier = Classifier(channels: real.channels, classes: classCount, seed: seed)
        realClassifier.train(real.images, labels: real.labels, steps: steps, seed: seed)
        progress("training on synthetic images")
        let syntheticClassifier = Classifier(channels: real.channels, classes: classCount, seed: seed)
        syntheticClassifier.train(synthetic.images, labels: synthetic.labels, steps: steps, seed: seed)
        progress("training on real + synthetic images")
        let combinedClassifier = Classifier(channels: real.channels, classes: classCount, seed: seed)
        combinedClassifier.train(
            Tensor.concatenating([real.images, synthetic.images]), labels: real.labels + synthetic.labels, steps: steps, seed: seed)

        func score(_ classifier: Classifier) -> (accuracy: Double, recall: [Double]) {
            let predicted = classifier.predict(holdout.images)
            var hits = [Int](repeating: 0, count: classCount)
            var totals = [Int](repeating: 0, count: classCount)
            for (p, truth) in zip(predicted, holdout.labels) {
                totals[truth] += 1
                if p == truth { hits[truth] += 1 }
            }
            let accuracy = Double(hits.reduce(0, +)) / Double(max(1, holdout.labels.count))
            return (accuracy, zip(hits, totals).map { $1 == 0 ? .nan : Double($0) / Double($1) })
        }
        let (trtr, recallReal) = score(realClassifier)
        let (tstr, recallSynthetic) = score(syntheticClassifier)
        let (combined, recallCombined) = score(combinedClassifier)

        progress("comparing features")
        let present = Set(synthetic.labels)
        let realSubset = real.labels.indices.filter { present.contains(real.labels[$0]) }
        let realFeatures = realClassifier.features(real.images.gathering(realSubset))
        let syntheticFeatures = realClassifier.features(synthetic.images)
        let (precision, recall) = FeatureStatistics.precisionRecall(real: realFeatures, generated: syntheticFeatures, k: 3)
        return EvaluationReport(
            classes: real.classes, syntheticClasses: present.sorted().map { real.classes[$0] }, trtrAccuracy: trtr, tstrAccuracy: tstr,
            combinedAccuracy: combined, recallRealOnly: recallReal, recallCombined: recallCombined, recallSyntheticOnly: recallSynthetic,
            frechetDistance: FeatureStatistics.frechetDistance(realFeatures, syntheticFeatures), precision: precision, recall: recall,
            counts: (real.labels.count, synthetic.labels.count, holdout.labels.count))
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

    func train(_ images: Tensor, labels: [Int], steps: Int, batch: Int = 64, seed: UInt64) {
        let optimizer = Adam(body.parameters + head.parameters, learningRate: 1e-3)
        var random = RandomStream(seed: seed).derived(12)
        var order: [Int] = []
        for _ in 0..<steps {
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
