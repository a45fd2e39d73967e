public import NeuralNet
internal import StudioCore

/// What `GANModel` needs of a generator: noise and labels to images, and back.
public protocol ConditionalGenerator: AnyObject {
    var architecture: GANArchitecture { get }
    /// `(N, latent)` noise and N labels → `(N, channels, resolution, resolution)` in [-1, 1].
    func forward(noise: Tensor, labels: [Int], training: Bool) -> Tensor
    /// Backward from the gradient of the images; accumulates into every parameter.
    func backward(_ gradient: Tensor)
    var parameters: [(name: String, parameter: Parameter)] { get }
    var buffers: [(name: String, parameter: Parameter)] { get }
}

/// What `GANModel` needs of a discriminator: images and labels to logits `(N, 1)`, and back.
public protocol ConditionalDiscriminator: AnyObject {
    func forward(_ images: Tensor, labels: [Int], training: Bool) -> Tensor
    /// The gradient of the images, or an empty tensor when `imageGradient` is false.
    func backward(_ gradient: Tensor, imageGradient: Bool) -> Tensor
    var parameters: [(name: String, parameter: Parameter)] { get }
    var buffers: [(name: String, parameter: Parameter)] { get }
}

extension Generator: ConditionalGenerator {}
extension Discriminator: ConditionalDiscriminator {}

extension GANArchitecture {
    func makeGenerator(random: inout RandomStream) -> any ConditionalGenerator {
        kind == .dcgan ? Generator(self, random: &random) : ResidualGenerator(self, random: &random)
    }

    func makeDiscriminator(random: inout RandomStream) -> any ConditionalDiscriminator {
        kind == .dcgan ? Discriminator(self, random: &random) : ResidualDiscriminator(self, random: &random)
    }

    /// Residual blocks between 4×4 and the resolution.
    var blocks: Int { max(1, resolution.trailingZeroBitCount - 2) }
}

/// A generator block (SNGAN / BigGAN): class-conditional batch norm, ReLU, 2× nearest upsampling,
/// 3×3 convolution, conditional batch norm, ReLU, 3×3 convolution; plus the upsampled input
/// through a 1×1 convolution.
final class UpBlock {
    let bn1: ConditionalBatchNorm2d, bn2: ConditionalBatchNorm2d
    let relu1 = ReLU(), relu2 = ReLU()
    let up = Upsample2x(), shortcutUp = Upsample2x()
    let conv1: Conv2d, conv2: Conv2d, shortcut: Conv2d

    init(_ input: Int, _ output: Int, classes: Int, random: inout RandomStream) {
        bn1 = ConditionalBatchNorm2d(input, classes: classes)
        bn2 = ConditionalBatchNorm2d(output, classes: classes)
        conv1 = Conv2d(input, output, kernel: 3, padding: 1, random: &random)
        conv2 = Conv2d(output, output, kernel: 3, padding: 1, random: &random)
        shortcut = Conv2d(input, output, kernel: 1, random: &random)
    }

    func forward(_ x: Tensor, labels: [Int], training: Bool) -> Tensor {
        var h = relu1.forward(bn1.forward(x, labels: labels, training: training), training: training)
        h = conv1.forward(up.forward(h, training: training), training: training)
        h = conv2.forward(relu2.forward(bn2.forward(h, labels: labels, training: training), training: training), training: training)
        h += shortcut.forward(shortcutUp.forward(x, training: training), training: training)
        return h
    }

    func backward(_ g: Tensor) -> Tensor {
        var dx = shortcutUp.backward(shortcut.backward(g))
        var dh = bn2.backward(relu2.backward(conv2.backward(g)))
        dh = bn1.backward(relu1.backward(up.backward(conv1.backward(dh))))
        dx += dh
        return dx
    }

    var parameters: [(name: String, parameter: Parameter)] {
        bn1.parameters.map { ("bn1.\($0.name)", $0.parameter) } + bn2.parameters.map { ("bn2.\($0.name)", $0.parameter) }
            + [("conv1", conv1), ("conv2", conv2), ("shortcut", shortcut)].flatMap { name, c in
                c.parameters.map { ("\(name).\($0.name)", $0.parameter) }
            }
    }

    var buffers: [(name: String, parameter: Parameter)] {
        bn1.buffers.map { ("bn1.\($0.name)", $0.parameter) } + bn2.buffers.map { ("bn2.\($0.name)", $0.parameter) }
    }
}

/// Noise through a linear layer to `4 × 4` features, residual up-blocks with class-conditional
/// batch norm to the resolution, batch norm, ReLU, a 3×3 convolution and Tanh (Miyato & Koyama
/// 2018, BigGAN's conditioning). Widths halve from `ngf · 2^(blocks−1)` at 4×4 to `ngf`.
final class ResidualGenerator: ConditionalGenerator {
    let architecture: GANArchitecture
    let linear: Linear
    let blocks: [UpBlock]
    let finalNorm: BatchNorm2d
    let finalReLU = ReLU()
    let finalConv: Conv2d
    let tanh = Tanh()
    private var batch = 0

    init(_ a: GANArchitecture, random: inout RandomStream) {
        architecture = a
        var width = a.ngf << (a.blocks - 1)
        linear = Linear(a.latent, 16 * width, random: &random)
        var made: [UpBlock] = []
        for _ in 0..<a.blocks {
            let next = max(a.ngf, width / 2)
            made.append(UpBlock(width, made.count == a.blocks - 1 ? a.ngf : next, classes: a.classes, random: &random))
            width = made.count == a.blocks ? a.ngf : next
        }
        blocks = made
        finalNorm = BatchNorm2d(a.ngf)
        finalConv = Conv2d(a.ngf, a.channels, kernel: 3, padding: 1, random: &random)
    }

    func forward(noise: Tensor, labels: [Int], training: Bool) -> Tensor {
        batch = labels.count
        let width = linear.outFeatures / 16
        var h = linear.forward(noise, training: training).reshaped([batch, width, 4, 4])
        for block in blocks { h = block.forward(h, labels: labels, training: training) }
        h = finalReLU.forward(finalNorm.forward(h, training: training), training: training)
        return tanh.forward(finalConv.forward(h, training: training), training: training)
    }

    func backward(_ gradient: Tensor) {
        var g = finalNorm.backward(finalReLU.backward(finalConv.backward(tanh.backward(gradient))))
        for block in blocks.reversed() { g = block.backward(g) }
        _ = linear.backward(g.reshaped([batch, linear.outFeatures]))
    }

    var parameters: [(name: String, parameter: Parameter)] {
        linear.parameters.map { ("linear.\($0.name)", $0.parameter) }
            + blocks.enumerated().flatMap { i, b in b.parameters.map { ("blocks.\(i).\($0.name)", $0.parameter) } }
            + finalNorm.parameters.map { ("final_bn.\($0.name)", $0.parameter) }
            + finalConv.parameters.map { ("final_conv.\($0.name)", $0.parameter) }
    }

    var buffers: [(name: String, parameter: Parameter)] {
        blocks.enumerated().flatMap { i, b in b.buffers.map { ("blocks.\(i).\($0.name)", $0.parameter) } }
            + finalNorm.buffers.map { ("final_bn.\($0.name)", $0.parameter) }
    }
}

/// A discriminator block: (ReLU unless first) 3×3 convolution, ReLU, 3×3 convolution, 2×2 average
/// pooling; plus a 1×1 convolution of the input, pooled (pooled first in the first block). Every
/// convolution spectrally normalized.
final class DownBlock {
    let first: Bool
    let relu1 = ReLU(), relu2 = ReLU()
    let conv1: SpectralNormalized, conv2: SpectralNormalized, shortcut: SpectralNormalized
    let pool = AveragePool2x(), shortcutPool = AveragePool2x()

    init(_ input: Int, _ output: Int, first: Bool, random: inout RandomStream) {
        self.first = first
        conv1 = SpectralNormalized(Conv2d(input, output, kernel: 3, padding: 1, random: &random), random: &random)
        conv2 = SpectralNormalized(Conv2d(output, output, kernel: 3, padding: 1, random: &random), random: &random)
        shortcut = SpectralNormalized(Conv2d(input, output, kernel: 1, random: &random), random: &random)
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        var h = conv1.forward(first ? x : relu1.forward(x, training: training), training: training)
        h = pool.forward(conv2.forward(relu2.forward(h, training: training), training: training), training: training)
        h +=
            first
            ? shortcut.forward(shortcutPool.forward(x, training: training), training: training)
            : shortcutPool.forward(shortcut.forward(x, training: training), training: training)
        return h
    }

    func backward(_ g: Tensor) -> Tensor {
        var dx = first ? shortcutPool.backward(shortcut.backward(g)) : shortcut.backward(shortcutPool.backward(g))
        var dh = conv1.backward(relu2.backward(conv2.backward(pool.backward(g))))
        if !first { dh = relu1.backward(dh) }
        dx += dh
        return dx
    }

    var parameters: [(name: String, parameter: Parameter)] {
        [("conv1", conv1), ("conv2", conv2), ("shortcut", shortcut)].flatMap { name, c in
            c.parameters.map { ("\(name).\($0.name)", $0.parameter) }
        }
    }

    var buffers: [(name: String, parameter: Parameter)] {
        [("conv1", conv1), ("conv2", conv2), ("shortcut", shortcut)].flatMap { name, c in
            c.buffers.map { ("\(name).\($0.name)", $0.parameter) }
        }
    }
}

/// Residual down-blocks with spectral normalization to `4 × 4`, ReLU, a sum over space into `h`;
/// the logit is `linear(h) + ⟨embed(label), h⟩` with both spectrally normalized (SNGAN's
/// projection discriminator). Widths double from `ndf`. Meant for the hinge loss.
final class ResidualDiscriminator: ConditionalDiscriminator {
    let blocks: [DownBlock]
    let relu = ReLU()
    let pool = GlobalAveragePool()
    let linear: SpectralNormalized
    let embed: SpectralEmbedding
    private var features = Tensor(shape: [0])
    private var code = Tensor(shape: [0])
    private var plane = 16

    init(_ a: GANArchitecture, random: inout RandomStream) {
        var made: [DownBlock] = []
        var width = a.channels
        for i in 0..<a.blocks {
            let next = a.ndf << i
            made.append(DownBlock(width, next, first: i == 0, random: &random))
            width = next
        }
        blocks = made
        linear = SpectralNormalized(Linear(width, 1, random: &random), random: &random)
        embed = SpectralEmbedding(a.classes, width, random: &random)
    }

    func forward(_ images: Tensor, labels: [Int], training: Bool) -> Tensor {
        var h = images
        for block in blocks { h = block.forward(h, training: training) }
        h = relu.forward(h, training: training)
        plane = h.shape[2] * h.shape[3]
        // A sum over space, as SNGAN: the mean times the plane.
        features = pool.forward(h, training: training).scaled(by: Float(plane))
        code = embed.forward(labels, training: training)
        return Projection.logits(linear.forward(features, training: training), features: features, code: code)
    }

    func backward(_ gradient: Tensor, imageGradient: Bool) -> Tensor {
        let (featureGradient, codeGradient) = Projection.backward(
            gradient, linear: linear.backward(gradient), features: features, code: code)
        embed.backward(codeGradient)
        var g = relu.backward(pool.backward(featureGradient.scaled(by: Float(plane))))
        for block in blocks.reversed() { g = block.backward(g) }
        return imageGradient ? g : Tensor(shape: [0])
    }

    var parameters: [(name: String, parameter: Parameter)] {
        blocks.enumerated().flatMap { i, b in b.parameters.map { ("blocks.\(i).\($0.name)", $0.parameter) } }
            + linear.parameters.map { ("linear.\($0.name)", $0.parameter) }
            + embed.norm.parameters.map { ("embed.\($0.name)", $0.parameter) }
    }

    var buffers: [(name: String, parameter: Parameter)] {
        blocks.enumerated().flatMap { i, b in b.buffers.map { ("blocks.\(i).\($0.name)", $0.parameter) } }
            + linear.buffers.map { ("linear.\($0.name)", $0.parameter) } + embed.norm.buffers.map { ("embed.\($0.name)", $0.parameter) }
    }
}
