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
