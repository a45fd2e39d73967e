internal import StudioCore

/// `torch.nn.BatchNorm2d` (also for `(N, C)` inputs, like `BatchNorm1d`): batch statistics in
/// training (biased variance to normalize, unbiased for the running estimate, momentum 0.1),
/// running statistics in evaluation.
public final class BatchNorm2d: Layer {
    public let channels: Int
    public let epsilon: Float
    public let momentum: Float
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    /// `num_batches_tracked`, kept so PyTorch's state dict loads without complaint.
    public let batchesTracked: Parameter
    private var normalized: [Float] = []
    private var inverseDeviation: [Float] = []
    private var shape: [Int] = []
    private var trainedForward = false

    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels]))
        runningMean = Parameter(Tensor(shape: [channels]))
        runningVariance = Parameter(Tensor(shape: [channels], repeating: 1))
        batchesTracked = Parameter(Tensor(shape: []))
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.count >= 2 && input.shape[1] == channels, "BatchNorm wants (N, \(channels), …), got \(input.shape)")
        let batch = input.shape[0]
        let plane = input.shape.dropFirst(2).reduce(1, *)
        let count = batch * plane
        shape = input.shape
        trainedForward = training
        var output = [Float](repeating: 0, count: input.count)
        normalized = [Float](repeating: 0, count: input.count)
        inverseDeviation = [Float](repeating: 0, count: channels)
        if training {
            precondition(count > 1, "BatchNorm in training needs more than one value per channel")
            batchesTracked.value.storage[0] += 1
        }
        let stats: [(mean: Float, variance: Float)] = input.storage.withUnsafeBufferPointer { x in
            nonisolated(unsafe) let x = x
            return Parallel.map(channels) { c in
                guard training else { return (runningMean.value.storage[c], runningVariance.value.storage[c]) }
                var sum: Double = 0
                var squares: Double = 0
                for n in 0..<batch {
                    let start = (n * channels + c) * plane
                    for p in 0..<plane {
                        let v = Double(x[start + p])
                        sum += v
                        squares += v * v
                    }
                }
                let mean = sum / Double(count)
                return (Float(mean), Float(max(squares / Double(count) - mean * mean, 0)))
            }
        }
        for c in 0..<channels {
            let (mean, variance) = stats[c]
            let inverse = 1 / (variance + epsilon).squareRoot()
            inverseDeviation[c] = inverse
            let (scale, shift) = (weight.value.storage[c], bias.value.storage[c])
            input.storage.withUnsafeBufferPointer { x in
                for n in 0..<batch {
                    let start = (n * channels + c) * plane
                    for p in start..<(start + plane) {
                        let h = (x[p] - mean) * inverse
                        normalized[p] = h
                        output[p] = h * scale + shift
                    }
                }
            }
            if training {
                let unbiased = variance * Float(count) / Float(count - 1)
                runningMean.value.storage[c] = (1 - momentum) * runningMean.value.storage[c] + momentum * mean
                runningVariance.value.storage[c] = (1 - momentum) * runningVariance.value.storage[c] + momentum * unbiased
            }
        }
        return Tensor(shape: input.shape, storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let batch = shape[0]
        let plane = shape.dropFirst(2).reduce(1, *)
        let count = Float(batch * plane)
        var input = [Float](repeating: 0, count: gradient.count)
        for c in 0..<channels {
            var gradientSum: Float = 0
            var dotNormalized: Float = 0
            gradient.storage.withUnsafeBufferPointer { dy in
                for n in 0..<batch {
                    let start = (n * channels + c) * plane
                    for p in start..<(start + plane) {
                        gradientSum += dy[p]
                        dotNormalized += dy[p] * normalized[p]
                    }
                }
            }
            weight.gradient.storage[c] += dotNormalized
            bias.gradient.storage[c] += gradientSum
            let scale = weight.value.storage[c] * inverseDeviation[c]
            gradient.storage.withUnsafeBufferPointer { dy in
                for n in 0..<batch {
                    let start = (n * channels + c) * plane
                    for p in start..<(start + plane) {
                        input[p] =
                            trainedForward
                            ? scale * (dy[p] - gradientSum / count - normalized[p] * dotNormalized / count)
                            : scale * dy[p]
                    }
                }
            }
        }
        return Tensor(shape: shape, storage: input)
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var buffers: [(name: String, parameter: Parameter)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }
}
