public import StudioCore

/// A weight divided by its largest singular value, as `torch.nn.utils.spectral_norm` does it:
/// the learned tensor is `weight_orig`; one power iteration per training forward updates the
/// buffers `weight_u` and `weight_v` (rows and columns of the weight seen as a `(out, rest)`
/// matrix), σ = uᵀ W v, and the layer uses W / σ. The gradient goes through σ with u and v held
/// fixed, as autograd does: ∂L/∂W = G/σ − ⟨G, W⟩/σ² · u vᵀ, with G the gradient of W / σ.
public final class SpectralNorm {
    public let original: Parameter
    public let u: Parameter
    public let v: Parameter
    /// The layer's own weight: its value is set to W / σ before each forward, its gradient turned
    /// into the original's after each backward.
    let target: Parameter
    private var sigma: Float = 1
    private var usedU: [Float] = []
    private var usedV: [Float] = []

    /// Takes over `weight` (its value becomes the original); u and v drawn N(0, 1), normalized.
    public init(_ weight: Parameter, random: inout RandomStream) {
        target = weight
        original = Parameter(weight.value)
        let rows = weight.value.shape[0]
        let columns = weight.value.count / max(rows, 1)
        u = Parameter(Tensor(shape: [rows], storage: Self.normalized((0..<rows).map { _ in Float(random.nextNormal()) })))
        v = Parameter(Tensor(shape: [columns], storage: Self.normalized((0..<columns).map { _ in Float(random.nextNormal()) })))
    }

    static func normalized(_ x: [Float]) -> [Float] {
        let norm = max(x.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return x.map { $0 / norm }
    }

    /// Before a forward: the power iteration (training only), σ, and W / σ into the layer.
    public func prepare(training: Bool) {
        let w = original.value.storage
        let rows = u.value.count, columns = v.value.count
        var uu = u.value.storage, vv = v.value.storage
        if training {
            var next = [Float](repeating: 0, count: columns)
            for r in 0..<rows where uu[r] != 0 { for c in 0..<columns { next[c] += w[r * columns + c] * uu[r] } }
            vv = Self.normalized(next)
            var image = [Float](repeating: 0, count: rows)
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<columns { sum += w[r * columns + c] * vv[c] }
                image[r] = sum
            }
            uu = Self.normalized(image)
            u.value.storage = uu
            v.value.storage = vv
        }
        var s: Float = 0
        for r in 0..<rows {
            var sum: Float = 0
            for c in 0..<columns { sum += w[r * columns + c] * vv[c] }
            s += uu[r] * sum
        }
        sigma = s
        (usedU, usedV) = (uu, vv)
        target.value = Tensor(shape: original.value.shape, storage: w.map { $0 / s })
    }

    /// After a backward: the layer's weight gradient moved onto the original, through σ.
    public func finishBackward() {
        let g = target.gradient.storage, w = original.value.storage
        let columns = usedV.count
        var inner: Float = 0
        for i in g.indices { inner += g[i] * w[i] }
        let (scale, correction) = (1 / sigma, inner / (sigma * sigma))
        original.gradient.storage.withUnsafeMutableBufferPointer { out in
            for i in out.indices { out[i] += scale * g[i] - correction * usedU[i / columns] * usedV[i % columns] }
        }
        target.gradient.zero()
    }

    /// Under PyTorch's names.
    public var parameters: [(name: String, parameter: Parameter)] { [("weight_orig", original)] }
    public var buffers: [(name: String, parameter: Parameter)] { [("weight_u", u), ("weight_v", v)] }
}

/// A layer with one weight (and maybe a bias) that spectral normalization can wrap.
public protocol WeightedLayer: Layer {
    var weight: Parameter { get }
    var bias: Parameter? { get }
}

extension Conv2d: WeightedLayer {}
extension Linear: WeightedLayer {}

/// `spectral_norm(layer)`: the layer with its weight normalized at every forward.
public final class SpectralNormalized: Layer {
    public let layer: any WeightedLayer
    public let norm: SpectralNorm

    public init(_ layer: any WeightedLayer, random: inout RandomStream) {
        self.layer = layer
        norm = SpectralNorm(layer.weight, random: &random)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        norm.prepare(training: training)
        return layer.forward(input, training: training)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let input = layer.backward(gradient)
        norm.finishBackward()
        return input
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("bias", layer.bias)].compactMap { name, p in p.map { (name, $0) } } + norm.parameters
    }

    public var buffers: [(name: String, parameter: Parameter)] { norm.buffers }
}

/// `spectral_norm(nn.Embedding)`: the class table normalized as a `(classes, dimension)` matrix.
public final class SpectralEmbedding {
    public let embedding: Embedding
    public let norm: SpectralNorm

    public init(_ count: Int, _ dimension: Int, random: inout RandomStream) {
        embedding = Embedding(count, dimension, random: &random)
        norm = SpectralNorm(embedding.weight, random: &random)
    }

    public func forward(_ labels: [Int], training: Bool) -> Tensor {
        norm.prepare(training: training)
        return embedding.forward(labels)
    }

    public func backward(_ gradient: Tensor) {
        embedding.backward(gradient)
        norm.finishBackward()
    }
}
