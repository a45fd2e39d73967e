#if canImport(Glibc)
    internal import Glibc
#endif

/// Keeps an elementwise layer's input and output for its backward pass, and runs one tight
/// loop per function (a generic or protocol-dispatched function per element measured 3× slower).
struct ElementwiseCache {
    var input: [Float] = []
    var output: [Float] = []
    var shape: [Int] = []

    mutating func forward(_ x: Tensor, _ apply: (Float) -> Float) -> Tensor {
        shape = x.shape
        input = x.storage
        output = x.storage.withUnsafeBufferPointer { x in
            filled(x.count) { y in
                for i in 0..<x.count { y[i] = apply(x[i]) }
            }
        }
        return Tensor(shape: shape, storage: output)
    }

    /// `gradient · f′`, with f′ written from the input and the output.
    func backward(_ gradient: Tensor, _ derivative: (Float, Float) -> Float) -> Tensor {
        var result = gradient.storage
        result.withUnsafeMutableBufferPointer { r in
            input.withUnsafeBufferPointer { x in
                output.withUnsafeBufferPointer { y in
                    for i in r.indices { r[i] *= derivative(x[i], y[i]) }
                }
            }
        }
        return Tensor(shape: shape, storage: result)
    }
}

public final class ReLU: Layer {
    private var cache = ElementwiseCache()
    public init() {}
    public func forward(_ input: Tensor, training: Bool) -> Tensor { cache.forward(input) { max($0, 0) } }
    public func backward(_ gradient: Tensor) -> Tensor { cache.backward(gradient) { x, _ in x > 0 ? 1 : 0 } }
}

public final class LeakyReLU: Layer {
    public let slope: Float
    private var cache = ElementwiseCache()
    public init(slope: Float = 0.2) { self.slope = slope }
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let slope = slope
        return cache.forward(input) { $0 > 0 ? $0 : $0 * slope }
    }
    public func backward(_ gradient: Tensor) -> Tensor {
        let slope = slope
        return cache.backward(gradient) { x, _ in x > 0 ? 1 : slope }
    }
}

public final class Tanh: Layer {
    private var cache = ElementwiseCache()
    public init() {}
    public func forward(_ input: Tensor, training: Bool) -> Tensor { cache.forward(input) { tanhf($0) } }
    public func backward(_ gradient: Tensor) -> Tensor { cache.backward(gradient) { _, y in 1 - y * y } }
}

public final class Sigmoid: Layer {
    private var cache = ElementwiseCache()
    public init() {}
    public func forward(_ input: Tensor, training: Bool) -> Tensor { cache.forward(input) { 1 / (1 + expf(-$0)) } }
    public func backward(_ gradient: Tensor) -> Tensor { cache.backward(gradient) { _, y in y * (1 - y) } }
}
