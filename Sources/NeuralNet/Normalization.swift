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
        if training {
            precondition(count > 1, "BatchNorm in training needs more than one value per channel")
            batchesTracked.value.storage[0] += 1
        }
        var output = [Float](repeating: 0, count: input.count)
        var normalized = [Float](repeating: 0, count: input.count)
        let (channels, epsilon) = (self.channels, self.epsilon)
        let (scales, shifts) = (weight.value.storage, bias.value.storage)
        let (runningMeans, runningVariances) = (runningMean.value.storage, runningVariance.value.storage)
        // One channel per task: statistics in double, then normalize; each task writes only its
        // channel's values, in a fixed order.
        let stats: [(mean: Float, variance: Float, inverse: Float)] = input.storage.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                normalized.withUnsafeMutableBufferPointer { h in
                    nonisolated(unsafe) let (x, y, h) = (x.baseAddress!, y.baseAddress!, h.baseAddress!)
                    return Parallel.map(channels) { c in
                        var mean = runningMeans[c]
                        var variance = runningVariances[c]
                        if training {
                            var sum: Double = 0
                            var squares: Double = 0
                            for n in 0..<batch {
                                let (s, q) = Reduction.sums(x + (n * channels + c) * plane, plane)
                                sum += Double(s)
                                squares += Double(q)
                            }
                            let m = sum / Double(count)
                            mean = Float(m)
                            variance = Float(max(squares / Double(count) - m * m, 0))
                        }
                        let inverse = 1 / (variance + epsilon).squareRoot()
                        let (scale, shift) = (scales[c], shifts[c])
                        for n in 0..<batch {
                            let start = (n * channels + c) * plane
                            for p in start..<(start + plane) {
                                let v = (x[p] - mean) * inverse
                                h[p] = v
                                y[p] = v * scale + shift
                            }
                        }
                        return (mean, variance, inverse)
                    }
                }
            }
        }
        inverseDeviation = stats.map(\.inverse)
        self.normalized = normalized
        if training {
            for c in 0..<channels {
                let unbiased = stats[c].variance * Float(count) / Float(count - 1)
                runningMean.value.storage[c] = (1 - momentum) * runningMean.value.storage[c] + momentum * stats[c].mean
                runningVariance.value.storage[c] = (1 - momentum) * runningVariance.value.storage[c] + momentum * unbiased
            }
        }
        return Tensor(shape: input.shape, storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let batch = shape[0]
        let plane = shape.dropFirst(2).reduce(1, *)
        let count = Float(batch * plane)
        let channels = self.channels
        let trained = trainedForward
        let scales = zip(weight.value.storage, inverseDeviation).map { $0 * $1 }
        var input = [Float](repeating: 0, count: gradient.count)
        let sums: [(gradient: Float, dot: Float)] = gradient.storage.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { h in
                input.withUnsafeMutableBufferPointer { dx in
                    nonisolated(unsafe) let (dy, h, dx) = (dy.baseAddress!, h.baseAddress!, dx.baseAddress!)
                    return Parallel.map(channels) { c in
                        var gradientSum: Float = 0
                        var dotNormalized: Float = 0
                        for n in 0..<batch {
                            let start = (n * channels + c) * plane
                            let (s, d) = Reduction.sums(dy + start, plane, dot: h + start)
                            gradientSum += s
                            dotNormalized += d
                        }
                        let scale = scales[c]
                        let (meanGradient, meanDot) = trained ? (gradientSum / count, dotNormalized / count) : (0, 0)
                        for n in 0..<batch {
                            let start = (n * channels + c) * plane
                            for p in start..<(start + plane) { dx[p] = scale * (dy[p] - meanGradient - h[p] * meanDot) }
                        }
                        return (gradientSum, dotNormalized)
                    }
                }
            }
        }
        for c in 0..<channels {
            weight.gradient.storage[c] += sums[c].dot
            bias.gradient.storage[c] += sums[c].gradient
        }
        return Tensor(shape: shape, storage: input)
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public var buffers: [(name: String, parameter: Parameter)] {
        [("running_mean", runningMean), ("running_var", runningVariance), ("num_batches_tracked", batchesTracked)]
    }
}

/// Sums in eight interleaved lanes, so the loops vectorise (one running float sum cannot: each
/// addition waits for the last). The order is fixed, so results repeat bit for bit.
enum Reduction {
    /// `(Σ a, Σ a·b)` over `count` values; `b` defaults to `a` (sum and sum of squares).
    static func sums(_ a: UnsafePointer<Float>, _ count: Int, dot b: UnsafePointer<Float>? = nil) -> (Float, Float) {
        let b = b ?? a
        var sum = SIMD8<Float>()
        var dot = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            sum += x
            dot += x * y
            i += 8
        }
        var (s, d) = (sum.sum(), dot.sum())
        while i < count {
            s += a[i]
            d += a[i] * b[i]
            i += 1
        }
        return (s, d)
    }
}

/// Class-conditional batch norm (de Vries et al. 2017; SNGAN, BigGAN): batch norm without its
/// own scale and shift, then a scale and a shift per class, looked up by label — so the class
/// steers every layer of a generator, not only its input. PyTorch names: `bn.running_mean`, …,
/// `gamma.weight` (initialized to 1), `beta.weight` (0).
public final class ConditionalBatchNorm2d {
    public let bn: BatchNorm2d
    public let gamma: Embedding
    public let beta: Embedding
    private var normalized = Tensor(shape: [0])
    private var scales = Tensor(shape: [0])

    public init(_ channels: Int, classes: Int) {
        bn = BatchNorm2d(channels)
        var unused = RandomStream(seed: 0)
        gamma = Embedding(classes, channels, random: &unused)
        beta = Embedding(classes, channels, random: &unused)
        gamma.weight.value = Tensor(shape: [classes, channels], repeating: 1)
        beta.weight.value = Tensor(shape: [classes, channels])
    }

    public func forward(_ input: Tensor, labels: [Int], training: Bool) -> Tensor {
        normalized = bn.forward(input, training: training)
        scales = gamma.forward(labels)
        let shifts = beta.forward(labels)
        let (n, c) = (input.shape[0], input.shape[1])
        let plane = input.count / max(n * c, 1)
        var out = normalized.storage
        for i in 0..<n {
            for ch in 0..<c {
                let (s, b) = (scales.storage[i * c + ch], shifts.storage[i * c + ch])
                let start = (i * c + ch) * plane
                for p in start..<(start + plane) { out[p] = s * out[p] + b }
            }
        }
        return Tensor(shape: input.shape, storage: out)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let (n, c) = (gradient.shape[0], gradient.shape[1])
        let plane = gradient.count / max(n * c, 1)
        var scaleGradient = Tensor(shape: [n, c]), shiftGradient = Tensor(shape: [n, c])
        var normalizedGradient = gradient.storage
        for i in 0..<n {
            for ch in 0..<c {
                let start = (i * c + ch) * plane
                var (dot, sum): (Float, Float) = (0, 0)
                let s = scales.storage[i * c + ch]
                for p in start..<(start + plane) {
                    dot += gradient.storage[p] * normalized.storage[p]
                    sum += gradient.storage[p]
                    normalizedGradient[p] *= s
                }
                scaleGradient.storage[i * c + ch] = dot
                shiftGradient.storage[i * c + ch] = sum
            }
        }
        gamma.backward(scaleGradient)
        beta.backward(shiftGradient)
        let input = bn.backward(Tensor(shape: gradient.shape, storage: normalizedGradient))
        bn.weight.zeroGradient()
        bn.bias.zeroGradient()
        return input
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("gamma.weight", gamma.weight), ("beta.weight", beta.weight)] }
    public var buffers: [(name: String, parameter: Parameter)] { bn.buffers.map { ("bn.\($0.name)", $0.parameter) } }
}
