public import StudioCore

/// `torch.nn.Conv2d` with square kernels: weight `(out, in, k, k)`, optional bias `(out)`.
/// Forward is one im2col + one GEMM over the whole batch.
public final class Conv2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    /// Off for a first layer whose input needs no gradient (real images): backward then skips
    /// the input's GEMM and col2im and returns an empty tensor.
    public var computesInputGradient = true
    private var geometry: ConvolutionGeometry?
    private var columns: [Float] = []

    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        random: inout RandomStream
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        (weight, self.bias) = Initializer.weightAndBias(
            [outChannels, inChannels, kernel, kernel], fanIn: inChannels * kernel * kernel, outputs: outChannels, bias: bias,
            random: &random)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inChannels, "Conv2d wants (N, \(inChannels), H, W), got \(input.shape)")
        let g = ConvolutionGeometry(
            batch: input.shape[0], channels: inChannels, height: input.shape[2], width: input.shape[3], kernel: kernel,
            stride: stride, padding: padding)
        columns = g.unfold(input.storage)
        geometry = g
        var product = [Float](repeating: 0, count: outChannels * g.columns)
        GEMM.multiply(weight.value.storage, columns, m: outChannels, n: g.columns, k: g.rows, into: &product)
        let plane = g.outputHeight * g.outputWidth
        if let bias { addBias(bias.value.storage, to: &product, channels: outChannels, plane: g.columns) }
        return Tensor(
            shape: [g.batch, outChannels, g.outputHeight, g.outputWidth],
            storage: Layout.swapOuter(product, outChannels, g.batch, plane: plane))
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("backward before forward") }
        let plane = g.outputHeight * g.outputWidth
        let gradientCN = Layout.swapOuter(gradient.storage, g.batch, outChannels, plane: plane)
        GEMM.multiply(
            gradientCN, columns, transposeB: true, m: outChannels, n: g.rows, k: g.columns, beta: 1,
            into: &weight.gradient.storage)
        if let bias { accumulateBiasGradient(gradientCN, into: &bias.gradient.storage, plane: g.columns) }
        guard computesInputGradient else { return Tensor(shape: [0]) }
        var columnsGradient = [Float](repeating: 0, count: g.rows * g.columns)
        GEMM.multiply(
            weight.value.storage, gradientCN, transposeA: true, m: g.rows, n: g.columns, k: outChannels,
            into: &columnsGradient)
        return Tensor(shape: [g.batch, inChannels, g.height, g.width], storage: g.fold(columnsGradient))
    }

    public var parameters: [(name: String, parameter: Parameter)] { Initializer.named(weight: weight, bias: bias) }
}

/// `torch.nn.ConvTranspose2d` with square kernels: weight `(in, out, k, k)`, optional bias
/// `(out)`. Forward is the adjoint of a convolution: one GEMM, then col2im.
public final class ConvTranspose2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    private var geometry: ConvolutionGeometry?
    private var inputCN: [Float] = []

    public init(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
        random: inout RandomStream
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        // PyTorch computes fan-in from weight.size(1) · k · k for transposed convolutions too.
        (weight, self.bias) = Initializer.weightAndBias(
            [inChannels, outChannels, kernel, kernel], fanIn: outChannels * kernel * kernel, outputs: outChannels, bias: bias,
            random: &random)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(
            input.shape.count == 4 && input.shape[1] == inChannels,
            "ConvTranspose2d wants (N, \(inChannels), H, W), got \(input.shape)")
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        // The output is the "image" of a convolution whose grid is the input.
        let g = ConvolutionGeometry(
            batch: n, channels: outChannels, height: (h - 1) * stride - 2 * padding + kernel,
            width: (w - 1) * stride - 2 * padding + kernel, kernel: kernel, stride: stride, padding: padding)
        precondition(g.outputHeight == h && g.outputWidth == w, "transposed convolution geometry does not invert")
        geometry = g
        inputCN = Layout.swapOuter(input.storage, n, inChannels, plane: h * w)
        var columns = [Float](repeating: 0, count: g.rows * g.columns)
        GEMM.multiply(
            weight.value.storage, inputCN, transposeA: true, m: g.rows, n: g.columns, k: inChannels, into: &columns)
        var output = g.fold(columns)
        if let bias { addBias(bias.value.storage, to: &output, channels: outChannels, plane: g.height * g.width, batch: n) }
        return Tensor(shape: [n, outChannels, g.height, g.width], storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("backward before forward") }
        let columnsGradient = g.unfold(gradient.storage)
        GEMM.multiply(
            inputCN, columnsGradient, transposeB: true, m: inChannels, n: g.rows, k: g.columns, beta: 1,
            into: &weight.gradient.storage)
        if let bias {
            accumulateBiasGradient(
                gradient.storage, into: &bias.gradient.storage, plane: g.height * g.width, batch: g.batch)
        }
        var inputGradientCN = [Float](repeating: 0, count: inChannels * g.columns)
        GEMM.multiply(
            weight.value.storage, columnsGradient, m: inChannels, n: g.columns, k: g.rows, into: &inputGradientCN)
        let plane = g.outputHeight * g.outputWidth
        return Tensor(
            shape: [g.batch, inChannels, g.outputHeight, g.outputWidth],
            storage: Layout.swapOuter(inputGradientCN, inChannels, g.batch, plane: plane))
    }

    public var parameters: [(name: String, parameter: Parameter)] { Initializer.named(weight: weight, bias: bias) }
}

/// Adds `bias[c]` to every value of channel `c` in a `(batch, channels, plane)` array.
func addBias(_ bias: [Float], to values: inout [Float], channels: Int, plane: Int, batch: Int = 1) {
    values.withUnsafeMutableBufferPointer { v in
        for n in 0..<batch {
            for c in 0..<channels {
                let start = (n * channels + c) * plane
                for p in 0..<plane { v[start + p] += bias[c] }
            }
        }
    }
}

/// Adds the per-channel sums of a `(batch, channels, plane)` array to `gradient`.
func accumulateBiasGradient(_ values: [Float], into gradient: inout [Float], plane: Int, batch: Int = 1) {
    let channels = gradient.count
    values.withUnsafeBufferPointer { v in
        for c in 0..<channels {
            var sum: Float = 0
            for n in 0..<batch {
                let start = (n * channels + c) * plane
                for p in 0..<plane { sum += v[start + p] }
            }
            gradient[c] += sum
        }
    }
}
