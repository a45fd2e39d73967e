#if canImport(Glibc)
    internal import Glibc
#endif

/// A scalar function and its derivative, written from the input and the output value.
public protocol ElementwiseFunction: Sendable {
    func apply(_ x: Float) -> Float
    func derivative(input x: Float, output y: Float) -> Float
}

/// An elementwise layer; generic so each function is inlined into its loop.
public final class Activation<Function: ElementwiseFunction>: Layer {
    public let function: Function
    private var input: [Float] = []
    private var output: [Float] = []
    private var shape: [Int] = []

    public init(_ function: Function) { self.function = function }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        shape = input.shape
        self.input = input.storage
        output = input.storage.map { function.apply($0) }
        return Tensor(shape: shape, storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        var result = gradient.storage
        result.withUnsafeMutableBufferPointer { r in
            input.withUnsafeBufferPointer { x in
                output.withUnsafeBufferPointer { y in
                    for i in r.indices { r[i] *= function.derivative(input: x[i], output: y[i]) }
                }
            }
        }
        return Tensor(shape: shape, storage: result)
    }
}

public struct ReLUFunction: ElementwiseFunction {
    public func apply(_ x: Float) -> Float { max(x, 0) }
    public func derivative(input x: Float, output y: Float) -> Float { x > 0 ? 1 : 0 }
}

public struct LeakyReLUFunction: ElementwiseFunction {
    public let slope: Float
    public func apply(_ x: Float) -> Float { x > 0 ? x : x * slope }
    public func derivative(input x: Float, output y: Float) -> Float { x > 0 ? 1 : slope }
}

public struct TanhFunction: ElementwiseFunction {
    public func apply(_ x: Float) -> Float { tanhf(x) }
    public func derivative(input x: Float, output y: Float) -> Float { 1 - y * y }
}

public struct SigmoidFunction: ElementwiseFunction {
    public func apply(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    public func derivative(input x: Float, output y: Float) -> Float { y * (1 - y) }
}

public typealias ReLU = Activation<ReLUFunction>
public typealias LeakyReLU = Activation<LeakyReLUFunction>
public typealias Tanh = Activation<TanhFunction>
public typealias Sigmoid = Activation<SigmoidFunction>

extension Activation where Function == ReLUFunction {
    public convenience init() { self.init(ReLUFunction()) }
}

extension Activation where Function == LeakyReLUFunction {
    public convenience init(slope: Float = 0.2) { self.init(LeakyReLUFunction(slope: slope)) }
}

extension Activation where Function == TanhFunction {
    public convenience init() { self.init(TanhFunction()) }
}

extension Activation where Function == SigmoidFunction {
    public convenience init() { self.init(SigmoidFunction()) }
}
