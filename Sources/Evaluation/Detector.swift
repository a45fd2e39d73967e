public import NeuralNet
public import StudioCore

/// A small anchor-free one-stage detector in the style of CenterNet ("Objects as Points"):
/// a strided convolutional backbone down to 1/16, two transposed-convolution steps back up to
/// 1/4 with skip connections from the backbone (an FPN-like top-down path), and one shared
/// head that predicts, per output cell, a heat map per class (object centres), the box size and
/// the sub-cell offset of the centre.
///
/// Input `(N, 3, H, W)` with H and W multiples of 16, normalised pixel values; output
/// `(N, C + 4, H/4, W/4)`: channels `0..<C` heat-map logits, then log width and log height in
/// output cells, then the x and y offsets of the centre within its cell.
public final class Detector {
    public static let stride = 4
    public let classes: Int
    let stem: Sequential
    let stage4: Sequential
    let stage8: Sequential
    let stage16: Sequential
    let up8: Sequential
    let up4: Sequential
    let head: Sequential

    /// `width` scales every channel count (1 → 16, 32, 64, 96).
    public init(classes: Int, width: Int = 16, random: inout RandomStream) {
        self.classes = classes
        let c1 = width
        let c2 = width * 2
        let c3 = width * 4
        let c4 = width * 6
        func block(_ input: Int, _ output: Int, stride: Int, random: inout RandomStream) -> [any Layer] {
            [
                Conv2d(input, output, kernel: 3, stride: stride, padding: 1, bias: false, random: &random), BatchNorm2d(output),
                ReLU(),
            ]
        }
        let first = block(3, c1, stride: 2, random: &random)
        (first[0] as? Conv2d)?.computesInputGradient = false
        stem = Sequential(first + block(c1, c1, stride: 1, random: &random))
        stage4 = Sequential(block(c1, c2, stride: 2, random: &random) + block(c2, c2, stride: 1, random: &random))
        stage8 = Sequential(block(c2, c3, stride: 2, random: &random) + block(c3, c3, stride: 1, random: &random))
        stage16 = Sequential(block(c3, c4, stride: 2, random: &random) + block(c4, c4, stride: 1, random: &random))
        up8 = Sequential([
            ConvTranspose2d(c4, c3, kernel: 4, stride: 2, padding: 1, bias: false, random: &random), BatchNorm2d(c3), ReLU(),
        ])
        up4 = Sequential([
            ConvTranspose2d(c3, c2, kernel: 4, stride: 2, padding: 1, bias: false, random: &random), BatchNorm2d(c2), ReLU(),
        ])
        let out = Conv2d(c3, classes + 4, kernel: 1, random: &random)
        // Heat-map logits start at a prior of 0.1 (CenterNet's −2.19), so the first steps are
        // not spent unlearning a flood of false centres.
        for c in 0..<classes { out.bias?.value.storage[c] = -2.19 }
        head = Sequential([Conv2d(c2, c3, kernel: 3, padding: 1, random: &random), ReLU(), out])
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[2] % 16 == 0 && input.shape[3] % 16 == 0, "input \(input.shape)")
        let f4 = stage4.forward(stem.forward(input, training: training), training: training)
        let f8 = stage8.forward(f4, training: training)
        var p8 = up8.forward(stage16.forward(f8, training: training), training: training)
        p8 += f8
        var p4 = up4.forward(p8, training: training)
        p4 += f4
        return head.forward(p4, training: training)
    }

    /// Backward through the whole network (accumulates every parameter's gradient).
    public func backward(_ gradient: Tensor) {
        let g4 = head.backward(gradient)
        let g8 = up4.backward(g4)
        var g8Total = stage16.backward(up8.backward(g8))
        g8Total += g8
        var g4Total = stage8.backward(g8Total)
        g4Total += g4
        _ = stem.backward(stage4.backward(g4Total))
    }

    private var parts: [(String, Sequential)] {
        [("stem", stem), ("stage4", stage4), ("stage8", stage8), ("stage16", stage16), ("up8", up8), ("up4", up4), ("head", head)]
    }

    /// Learnable tensors under PyTorch-style names (`stem.0.weight`, …).
    public var parameters: [(name: String, parameter: Parameter)] {
        parts.flatMap { prefix, part in part.parameters.map { ("\(prefix).\($0.name)", $0.parameter) } }
    }

    /// Batch-norm running statistics, saved with the weights.
    public var buffers: [(name: String, parameter: Parameter)] {
        parts.flatMap { prefix, part in part.buffers.map { ("\(prefix).\($0.name)", $0.parameter) } }
    }
}
