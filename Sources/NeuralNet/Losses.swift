#if canImport(Glibc)
    internal import Glibc
#endif

/// A loss value and its gradient with respect to the network's output.
public struct LossResult: Sendable {
    public var value: Float
    public var gradient: Tensor

    public init(value: Float, gradient: Tensor) {
        self.value = value
        self.gradient = gradient
    }
}

public enum Loss {
    /// `torch.nn.BCEWithLogitsLoss` (mean) against one target for the whole batch (1 = real).
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, target: Float) -> LossResult {
        let n = Float(logits.count)
        var total: Double = 0
        var gradient = [Float](repeating: 0, count: logits.count)
        for (i, x) in logits.storage.enumerated() {
            // max(x, 0) − x·t + log(1 + e^−|x|): stable for large |x|.
            total += Double(max(x, 0) - x * target + log1pf(expf(-abs(x))))
            gradient[i] = (1 / (1 + expf(-x)) - target) / n
        }
        return LossResult(value: Float(total / Double(n)), gradient: Tensor(shape: logits.shape, storage: gradient))
    }

    /// The discriminator's hinge loss on one half of the batch: `mean(relu(1 − x))` for real,
    /// `mean(relu(1 + x))` for generated.
    public static func hingeDiscriminator(_ logits: Tensor, real: Bool) -> LossResult {
        let n = Float(logits.count)
        var total: Double = 0
        var gradient = [Float](repeating: 0, count: logits.count)
        for (i, x) in logits.storage.enumerated() {
            let margin = real ? 1 - x : 1 + x
            if margin > 0 {
                total += Double(margin)
                gradient[i] = (real ? -1 : 1) / n
            }
        }
        return LossResult(value: Float(total / Double(n)), gradient: Tensor(shape: logits.shape, storage: gradient))
    }

    /// The generator's hinge loss: `−mean(x)`.
    public static func hingeGenerator(_ logits: Tensor) -> LossResult {
        let n = Float(logits.count)
        let total = logits.storage.reduce(0.0) { $0 + Double($1) }
        return LossResult(
            value: Float(-total / Double(n)), gradient: Tensor(shape: logits.shape, repeating: -1 / n))
    }

    /// The mode-seeking term (Mao et al. 2019, MSGAN) on a batch whose second half pairs with its
    /// first (image `i` and image `i + N/2` of the same class from different noise):
    /// `weight / (r + 1e-5)` with `r = mean|G(z₁) − G(z₂)| / mean|z₁ − z₂|`. It grows as a pair's
    /// images come closer than their noise, so its gradient (with respect to the images; the noise
    /// is an input) pushes a generator that ignores its noise to use it.
    public static func modeSeeking(images: Tensor, noise: Tensor, weight: Float) -> LossResult {
        let half = images.batch / 2
        precondition(half >= 1 && images.batch == 2 * half && noise.batch == images.batch, "pairs: an even batch, one noise row each")
        func meanDistance(_ t: Tensor) -> (Float, Int) {
            let width = t.itemCount
            var total: Double = 0
            t.storage.withUnsafeBufferPointer { v in
                for k in 0..<(half * width) { total += Double(abs(v[k] - v[k + half * width])) }
            }
            return (Float(total / Double(half * width)), half * width)
        }
        let (imageDistance, elements) = meanDistance(images)
        let (noiseDistance, _) = meanDistance(noise)
        let epsilon: Float = 1e-5
        let ratio = imageDistance / max(noiseDistance, .leastNormalMagnitude)
        let value = weight / (ratio + epsilon)
        // d value / d ratio · d ratio / d image: each element's share of the mean, signed.
        let scale = -weight / ((ratio + epsilon) * (ratio + epsilon)) / (Float(elements) * max(noiseDistance, .leastNormalMagnitude))
        var gradient = [Float](repeating: 0, count: images.count)
        images.storage.withUnsafeBufferPointer { v in
            for k in 0..<elements {
                let difference = v[k] - v[k + elements]
                let g = difference > 0 ? scale : difference < 0 ? -scale : 0
                gradient[k] = g
                gradient[k + elements] = -g
            }
        }
        return LossResult(value: value, gradient: Tensor(shape: images.shape, storage: gradient))
    }

    /// `torch.nn.CrossEntropyLoss` (mean) of `(N, K)` logits against class labels.
    public static func softmaxCrossEntropy(_ logits: Tensor, labels: [Int]) -> LossResult {
        let (n, k) = (logits.batch, logits.itemCount)
        precondition(labels.count == n, "one label per row")
        var total: Double = 0
        var gradient = [Float](repeating: 0, count: logits.count)
        for row in 0..<n {
            let values = logits.storage[row * k..<(row + 1) * k]
            let top = values.max() ?? 0
            let sum = values.reduce(Float(0)) { $0 + expf($1 - top) }
            let logSum = top + logf(sum)
            total += Double(logSum - logits.storage[row * k + labels[row]])
            for j in 0..<k {
                let p = expf(logits.storage[row * k + j] - logSum)
                gradient[row * k + j] = (p - (j == labels[row] ? 1 : 0)) / Float(n)
            }
        }
        return LossResult(value: Float(total / Double(n)), gradient: Tensor(shape: logits.shape, storage: gradient))
    }
}
