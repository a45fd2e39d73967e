internal import StudioCore

/// `torch.nn.Upsample(scale_factor=2, mode="nearest")`: each value copied into a 2×2 block.
public final class Upsample2x: Layer {
    private var shape: [Int] = []

    public init() {}

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        shape = input.shape
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        var out = [Float](repeating: 0, count: planes * 4 * h * w)
        input.storage.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                for p in 0..<planes {
                    for r in 0..<(2 * h) {
                        let source = p * h * w + (r / 2) * w, target = (p * 2 * h + r) * 2 * w
                        for c in 0..<(2 * w) { y[target + c] = x[source + c / 2] }
                    }
                }
            }
        }
        return Tensor(shape: [input.shape[0], input.shape[1], 2 * h, 2 * w], storage: out)
    }

    /// Each input value's gradient is the sum over its 2×2 block.
    public func backward(_ gradient: Tensor) -> Tensor {
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        var out = [Float](repeating: 0, count: planes * h * w)
        gradient.storage.withUnsafeBufferPointer { g in
            for p in 0..<planes {
                for r in 0..<(2 * h) {
                    let source = (p * 2 * h + r) * 2 * w, target = p * h * w + (r / 2) * w
                    for c in 0..<(2 * w) { out[target + c / 2] += g[source + c] }
                }
            }
        }
        return Tensor(shape: shape, storage: out)
    }
}

/// `torch.nn.AvgPool2d(2)`: the mean of each 2×2 block (even sides).
public final class AveragePool2x: Layer {
    private var shape: [Int] = []

    public init() {}

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        shape = input.shape
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2] / 2, input.shape[3] / 2)
        precondition(input.shape[2] % 2 == 0 && input.shape[3] % 2 == 0, "AveragePool2x wants even sides, got \(input.shape)")
        var out = [Float](repeating: 0, count: planes * h * w)
        input.storage.withUnsafeBufferPointer { x in
            for p in 0..<planes {
                for r in 0..<h {
                    for c in 0..<w {
                        let top = (p * 2 * h + 2 * r) * 2 * w + 2 * c, bottom = top + 2 * w
                        out[(p * h + r) * w + c] = 0.25 * (x[top] + x[top + 1] + x[bottom] + x[bottom + 1])
                    }
                }
            }
        }
        return Tensor(shape: [input.shape[0], input.shape[1], h, w], storage: out)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        let (planes, h, w) = (shape[0] * shape[1], shape[2] / 2, shape[3] / 2)
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        gradient.storage.withUnsafeBufferPointer { g in
            for p in 0..<planes {
                for r in 0..<h {
                    for c in 0..<w {
                        let v = 0.25 * g[(p * h + r) * w + c]
                        let top = (p * 2 * h + 2 * r) * 2 * w + 2 * c, bottom = top + 2 * w
                        (out[top], out[top + 1], out[bottom], out[bottom + 1]) = (v, v, v, v)
                    }
                }
            }
        }
        return Tensor(shape: shape, storage: out)
    }
}
