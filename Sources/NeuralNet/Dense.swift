public import StudioCore

/// `torch.nn.Linear`: `y = x Wᵀ + b`, weight `(out, in)`.
public final class Linear: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var input: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, random: inout RandomStream) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        (weight, self.bias) = Initializer.weightAndBias(
            [outFeatures, inFeatures], fanIn: inFeatures, outputs: outFeatures, bias: bias, random: &random)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.itemCount == inFeatures, "Linear wants \(inFeatures) features, got \(input.shape)")
        self.input = input
        let n = input.batch
        var output = [Float](repeating: 0, count: n * outFeatures)
        if let bias { for row in 0..<n { for j in 0..<outFeatures { output[row * outFeatures + j] = bias.value.storage[j] } } }
        GEMM.multiply(
            input.storage, weight.value.storage, transposeB: true, m: n, n: outFeatures, k: inFeatures,
            beta: 1, into: &output)
        return Tensor(shape: [n, outFeatures], storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("backward before forward") }
        let n = input.batch
        GEMM.multiply(
            gradient.storage, input.storage, transposeA: true, m: outFeatures, n: inFeatures, k: n, beta: 1,
            into: &weight.gradient.storage)
        if let bias {
            for row in 0..<n { for j in 0..<outFeatures { bias.gradient.storage[j] += gradient.storage[row * outFeatures + j] } }
        }
        var inputGradient = [Float](repeating: 0, count: n * inFeatures)
        GEMM.multiply(
            gradient.storage, weight.value.storage, m: n, n: inFeatures, k: outFeatures, into: &inputGradient)
        return Tensor(shape: input.shape, storage: inputGradient)
    }

    public var parameters: [(name: String, parameter: Parameter)] { Initializer.named(weight: weight, bias: bias) }
}

/// `torch.nn.Embedding`: a row of `weight (count, dimension)` per label.
public final class Embedding {
    public let count: Int
    public let dimension: Int
    public let weight: Parameter
    private var labels: [Int] = []

    public init(_ count: Int, _ dimension: Int, random: inout RandomStream) {
        self.count = count
        self.dimension = dimension
        weight = Parameter(Initializer.normal([count, dimension], std: 1, random: &random))
    }

    public func forward(_ labels: [Int]) -> Tensor {
        precondition(labels.allSatisfy { (0..<count).contains($0) }, "label out of range 0..<\(count)")
        self.labels = labels
        var output = [Float]()
        output.reserveCapacity(labels.count * dimension)
        for label in labels { output.append(contentsOf: weight.value.storage[label * dimension..<(label + 1) * dimension]) }
        return Tensor(shape: [labels.count, dimension], storage: output)
    }

    /// Adds the rows of `gradient` to the rows of the labels they came from.
    public func backward(_ gradient: Tensor) {
        for (row, label) in labels.enumerated() {
            for j in 0..<dimension { weight.gradient.storage[label * dimension + j] += gradient.storage[row * dimension + j] }
        }
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }
}

/// Mean over the spatial dimensions: `(N, C, H, W)` → `(N, C)`.
public final class GlobalAveragePool: Layer {
    private var shape: [Int] = []

    public init() {}

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        shape = input.shape
        let plane = input.shape.dropFirst(2).reduce(1, *)
        let rows = input.count / max(plane, 1)
        var output = [Float](repeating: 0, count: rows)
        input.storage.withUnsafeBufferPointer { x in
            for r in 0..<rows {
                var sum: Float = 0
                for p in 0..<plane { sum += x[r * plane + p] }
                output[r] = sum / Float(plane)
            }
        }
        return Tensor(shape: Array(input.shape.prefix(2)), storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let plane = shape.dropFirst(2).reduce(1, *)
        var input = [Float](repeating: 0, count: shape.reduce(1, *))
        for r in 0..<gradient.count {
            let g = gradient.storage[r] / Float(plane)
            for p in 0..<plane { input[r * plane + p] = g }
        }
        return Tensor(shape: shape, storage: input)
    }
}
