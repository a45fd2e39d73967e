#if canImport(Glibc)
    internal import Glibc
#endif

/// `torch.optim.Adam` (no weight decay, no amsgrad), step for step the same arithmetic.
public final class Adam {
    public let parameters: [(name: String, parameter: Parameter)]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Steps taken; PyTorch keeps one per parameter, always equal here.
    public var step: Int = 0
    /// First and second moments (`exp_avg`, `exp_avg_sq`), one per parameter.
    public var firstMoments: [Tensor]
    public var secondMoments: [Tensor]

    public init(
        _ parameters: [(name: String, parameter: Parameter)], learningRate: Float, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { Tensor(shape: $0.parameter.value.shape) }
        secondMoments = firstMoments
    }

    public func zeroGradients() {
        for (_, parameter) in parameters { parameter.zeroGradient() }
    }

    public func update() {
        step += 1
        let correction1 = 1 - powf(beta1, Float(step))
        let correction2 = 1 - powf(beta2, Float(step))
        let stepSize = learningRate / correction1
        let correction2Root = correction2.squareRoot()
        for (index, (_, parameter)) in parameters.enumerated() {
            let gradient = parameter.gradient.storage
            firstMoments[index].storage.withUnsafeMutableBufferPointer { m in
                secondMoments[index].storage.withUnsafeMutableBufferPointer { v in
                    parameter.value.storage.withUnsafeMutableBufferPointer { p in
                        for i in p.indices {
                            let g = gradient[i]
                            m[i] = beta1 * m[i] + (1 - beta1) * g
                            v[i] = beta2 * v[i] + (1 - beta2) * g * g
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
                        }
                    }
                }
            }
        }
    }
}
