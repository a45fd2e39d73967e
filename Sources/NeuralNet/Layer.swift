internal import StudioCore

/// A learnable tensor and the gradient accumulated for it since the last `zeroGradient()`.
/// Also used for buffers that are saved but not learned (batch-norm running statistics).
public final class Parameter {
    public var value: Tensor
    public var gradient: Tensor

    public init(_ value: Tensor) {
        self.value = value
        gradient = Tensor(shape: value.shape)
    }

    public func zeroGradient() { gradient.zero() }
}

/// A layer with its forward and backward pass side by side.
///
/// `forward` keeps what `backward` needs; `backward` takes the gradient of the loss with respect
/// to the last forward's output, adds the gradients of the parameters to `Parameter.gradient`
/// (so several backward passes accumulate) and returns the gradient with respect to the input.
public protocol Layer: AnyObject {
    func forward(_ input: Tensor, training: Bool) -> Tensor
    func backward(_ gradient: Tensor) -> Tensor
    /// Learnable tensors under their PyTorch names (`weight`, `bias`, `0.weight`, …).
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// Saved but not learned tensors under their PyTorch names (`running_mean`, …).
    var buffers: [(name: String, parameter: Parameter)] { get }
}

extension Layer {
    public var parameters: [(name: String, parameter: Parameter)] { [] }
    public var buffers: [(name: String, parameter: Parameter)] { [] }
}

/// Layers applied in order; parameters are named by position, like `torch.nn.Sequential`.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        layers.reduce(input) { $1.forward($0, training: training) }
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        layers.reversed().reduce(gradient) { $1.backward($0) }
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.parameters.map { ("\(index).\($0.name)", $0.parameter) } }
    }

    public var buffers: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in layer.buffers.map { ("\(index).\($0.name)", $0.parameter) } }
    }
}

/// Gives a tensor another shape with the same item count (`(N, D)` → `(N, D, 1, 1)`, …).
public final class Reshape: Layer {
    public let itemShape: [Int]
    private var inputShape: [Int] = []

    public init(_ itemShape: [Int]) { self.itemShape = itemShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return input.reshaped([input.batch] + itemShape)
    }

    public func backward(_ gradient: Tensor) -> Tensor { gradient.reshaped(inputShape) }
}

/// Deterministic initializers (PyTorch's defaults need its RNG; ours take a stream).
enum Initializer {
    /// Normal values with the given mean and standard deviation (Box–Muller).
    static func normal(_ shape: [Int], mean: Float = 0, std: Float, random: inout RandomStream) -> Tensor {
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        for i in values.indices { values[i] = mean + std * Float(random.nextNormal()) }
        return Tensor(shape: shape, storage: values)
    }

    /// PyTorch's default weight and bias for a layer with `fanIn` inputs per output: both
    /// uniform in ±1/√fanIn; the bias has `outputs` values, or is absent.
    static func weightAndBias(
        _ shape: [Int], fanIn: Int, outputs: Int, bias: Bool, random: inout RandomStream
    ) -> (weight: Parameter, bias: Parameter?) {
        let bound = 1 / Float(fanIn).squareRoot()
        let weight = Parameter(uniform(shape, bound: bound, random: &random))
        return (weight, bias ? Parameter(uniform([outputs], bound: bound, random: &random)) : nil)
    }

    /// `weight` and, when present, `bias`, under PyTorch's names.
    static func named(weight: Parameter, bias: Parameter?) -> [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Uniform values in ±bound (PyTorch's Kaiming-uniform default for conv and linear layers
    /// with a = √5 gives bound = 1/√fanIn).
    static func uniform(_ shape: [Int], bound: Float, random: inout RandomStream) -> Tensor {
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        for i in values.indices { values[i] = Float((random.nextUnit() * 2 - 1)) * bound }
        return Tensor(shape: shape, storage: values)
    }
}
