public import StudioCore

/// How a convolution layer computes its three passes.
public enum ConvolutionImplementation: Sendable, CaseIterable {
    /// oneDNN's direct primitives, except for passes that produce fewer than 8 channels (an
    /// image's gradient, a generator's last layer): oneDNN's kernels vectorise over channels and
    /// run such passes at a tenth of their speed, where im2col + GEMM is several times faster.
    case automatic
    /// oneDNN's primitives for every pass oneDNN has one for.
    case oneDNN
    /// im2col/col2im and one GEMM over the batch: the reference the primitives are checked against.
    case im2col
}

/// A layer's primitives for its latest input shape.
struct PrimitiveCache {
    private var shape: ConvolutionPrimitives.Shape?
    private var primitives: ConvolutionPrimitives?

    /// The primitives for one pass, or nil when that pass runs on im2col.
    mutating func primitives(
        _ shape: ConvolutionPrimitives.Shape, _ operation: ConvolutionPrimitives.Operation,
        implementation: ConvolutionImplementation
    ) -> ConvolutionPrimitives? {
        switch implementation {
        case .im2col: return nil
        case .oneDNN: break
        case .automatic:
            let produced = [shape.outChannels, shape.inChannels, Int.max][operation.rawValue]
            if produced < 8 { return nil }
        }
        if self.shape != shape {
            self.shape = shape
            primitives = ConvolutionPrimitives(shape)
        }
        guard let primitives, primitives.prepare(operation) else { return nil }
        return primitives
    }
}

/// `[Float]` of `count` values written by `fill`.
func filled(_ count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(buffer.baseAddress!)
        initialized = count
    }
}

/// `torch.nn.Conv2d` with square kernels: weight `(out, in, k, k)`, optional bias `(out)`.
/// Passes run on oneDNN's primitives or on im2col + one GEMM over the batch (`implementation`).
public final class Conv2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var implementation = ConvolutionImplementation.automatic
    /// Off for a first layer whose input needs no gradient (real images): backward then skips
    /// the input's pass and returns an empty tensor.
    public var computesInputGradient = true
    private var geometry: ConvolutionGeometry?
    private var input = Tensor(shape: [0])
    /// im2col's columns of `input`, kept when forward made them.
    private var columns: [Float] = []
    private var cache = PrimitiveCache()

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

    private func shape(_ g: ConvolutionGeometry) -> ConvolutionPrimitives.Shape {
        .init(
            kind: .convolution, batch: g.batch, inChannels: inChannels, outChannels: outChannels, inHeight: g.height,
            inWidth: g.width, outHeight: g.outputHeight, outWidth: g.outputWidth, kernel: kernel, stride: stride,
            padding: padding)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.shape.count == 4 && input.shape[1] == inChannels, "Conv2d wants (N, \(inChannels), H, W), got \(input.shape)")
        let g = ConvolutionGeometry(
            batch: input.shape[0], channels: inChannels, height: input.shape[2], width: input.shape[3], kernel: kernel,
            stride: stride, padding: padding)
        geometry = g
        self.input = input
        let plane = g.outputHeight * g.outputWidth
        let outputShape = [g.batch, outChannels, g.outputHeight, g.outputWidth]
        if let primitives = cache.primitives(shape(g), .forward, implementation: implementation) {
            columns = []
            var output = primitives.forward(input.storage, weights: weight.value.storage)
            if let bias { addBias(bias.value.storage, to: &output, channels: outChannels, plane: plane, batch: g.batch) }
            return Tensor(shape: outputShape, storage: output)
        }
        columns = g.unfold(input.storage)
        var product = [Float](repeating: 0, count: outChannels * g.columns)
        GEMM.multiply(weight.value.storage, columns, m: outChannels, n: g.columns, k: g.rows, into: &product)
        if let bias { addBias(bias.value.storage, to: &product, channels: outChannels, plane: g.columns) }
        return Tensor(shape: outputShape, storage: Layout.swapOuter(product, outChannels, g.batch, plane: plane))
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("backward before forward") }
        let plane = g.outputHeight * g.outputWidth
        if let bias { accumulateBiasGradient(gradient.storage, into: &bias.gradient.storage, plane: plane, batch: g.batch) }
        var gradientCN: [Float] = []
        if let primitives = cache.primitives(shape(g), .backwardWeights, implementation: implementation) {
            primitives.backwardWeights(input: input.storage, gradient: gradient.storage, accumulateInto: &weight.gradient.storage)
        } else {
            gradientCN = Layout.swapOuter(gradient.storage, g.batch, outChannels, plane: plane)
            GEMM.multiply(
                gradientCN, columns.isEmpty ? g.unfold(input.storage) : columns, transposeB: true, m: outChannels, n: g.rows,
                k: g.columns, beta: 1, into: &weight.gradient.storage)
        }
        guard computesInputGradient else { return Tensor(shape: [0]) }
        let inputShape = [g.batch, inChannels, g.height, g.width]
        if let primitives = cache.primitives(shape(g), .backwardData, implementation: implementation) {
            return Tensor(shape: inputShape, storage: primitives.backwardData(gradient.storage, weights: weight.value.storage))
        }
        if gradientCN.isEmpty { gradientCN = Layout.swapOuter(gradient.storage, g.batch, outChannels, plane: plane) }
        var columnsGradient = [Float](repeating: 0, count: g.rows * g.columns)
        GEMM.multiply(
            weight.value.storage, gradientCN, transposeA: true, m: g.rows, n: g.columns, k: outChannels,
            into: &columnsGradient)
        return Tensor(shape: inputShape, storage: g.fold(columnsGradient))
    }

    public var parameters: [(name: String, parameter: Parameter)] { Initializer.named(weight: weight, bias: bias) }
}

/// `torch.nn.ConvTranspose2d` with square kernels: weight `(in, out, k, k)`, optional bias
/// `(out)`. Passes run on oneDNN's deconvolution primitives or as the adjoint of a convolution,
/// one GEMM then col2im (`implementation`).
public final class ConvTranspose2d: Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    public let bias: Parameter?
    public var implementation = ConvolutionImplementation.automatic
    private var geometry: ConvolutionGeometry?
    private var input = Tensor(shape: [0])
    private var cache = PrimitiveCache()

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

    private func shape(_ g: ConvolutionGeometry) -> ConvolutionPrimitives.Shape {
        .init(
            kind: .deconvolution, batch: g.batch, inChannels: inChannels, outChannels: outChannels, inHeight: g.outputHeight,
            inWidth: g.outputWidth, outHeight: g.height, outWidth: g.width, kernel: kernel, stride: stride, padding: padding)
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
        self.input = input
        let plane = g.height * g.width
        var output: [Float]
        if let primitives = cache.primitives(shape(g), .forward, implementation: implementation) {
            output = primitives.forward(input.storage, weights: weight.value.storage)
        } else {
            var columns = [Float](repeating: 0, count: g.rows * g.columns)
            GEMM.multiply(
                weight.value.storage, Layout.swapOuter(input.storage, n, inChannels, plane: h * w), transposeA: true,
                m: g.rows, n: g.columns, k: inChannels, into: &columns)
            output = g.fold(columns)
        }
        if let bias { addBias(bias.value.storage, to: &output, channels: outChannels, plane: plane, batch: n) }
        return Tensor(shape: [n, outChannels, g.height, g.width], storage: output)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("backward before forward") }
        if let bias {
            accumulateBiasGradient(gradient.storage, into: &bias.gradient.storage, plane: g.height * g.width, batch: g.batch)
        }
        var columnsGradient: [Float] = []
        if let primitives = cache.primitives(shape(g), .backwardWeights, implementation: implementation) {
            primitives.backwardWeights(input: input.storage, gradient: gradient.storage, accumulateInto: &weight.gradient.storage)
        } else {
            columnsGradient = g.unfold(gradient.storage)
            GEMM.multiply(
                Layout.swapOuter(input.storage, g.batch, inChannels, plane: g.outputHeight * g.outputWidth), columnsGradient,
                transposeB: true, m: inChannels, n: g.rows, k: g.columns, beta: 1, into: &weight.gradient.storage)
        }
        let inputShape = [g.batch, inChannels, g.outputHeight, g.outputWidth]
        if let primitives = cache.primitives(shape(g), .backwardData, implementation: implementation) {
            return Tensor(shape: inputShape, storage: primitives.backwardData(gradient.storage, weights: weight.value.storage))
        }
        if columnsGradient.isEmpty { columnsGradient = g.unfold(gradient.storage) }
        var inputGradientCN = [Float](repeating: 0, count: inChannels * g.columns)
        GEMM.multiply(
            weight.value.storage, columnsGradient, m: inChannels, n: g.columns, k: g.rows, into: &inputGradientCN)
        let plane = g.outputHeight * g.outputWidth
        return Tensor(shape: inputShape, storage: Layout.swapOuter(inputGradientCN, inChannels, g.batch, plane: plane))
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
