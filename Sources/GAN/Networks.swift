public import NeuralNet
public import StudioCore

/// The shape of a conditional DCGAN: what `run.json` records so a checkpoint can be checked
/// against the networks it is loaded into.
public struct GANArchitecture: Sendable, Equatable {
    /// The networks: DCGAN (transposed convolutions; the label joins the noise at the input) or
    /// residual (SNGAN-style: class-conditional batch norm in every generator block, spectral
    /// normalization throughout the discriminator).
    public enum Kind: String, Sendable, CaseIterable {
        case dcgan = "conditional-dcgan"
        case resnet = "conditional-resnet"

        /// The name a person types (`--architecture`, a job's `architecture`): dcgan or resnet.
        public init?(name: String) {
            switch name {
            case "dcgan": self = .dcgan
            case "resnet": self = .resnet
            default: return nil
            }
        }
    }

    public var kind = Kind.dcgan
    /// Square side in pixels: 16, 32, 64 or 128.
    public var resolution: Int
    /// 1 (gray) or 3 (RGB).
    public var channels: Int
    public var classes: Int
    public var latent: Int = 100
    /// Size of the label embedding concatenated to the noise.
    public var embedding: Int = 50
    public var ngf: Int = defaultWidth
    public var ndf: Int = defaultWidth

    public static let resolutions = [16, 32, 64, 128]
    /// The networks' width (`--ngf`, `--ndf`) unless chosen.
    public static let defaultWidth = 64

    /// The resolution `--resolution auto` picks for images of `width` × `height` made square as
    /// `fit` says: the smallest supported side that holds them without shrinking (8-px digits at
    /// 16, 28-px Fashion-MNIST at 32), at most 128. Larger than needed only costs steps.
    public static func automaticResolution(width: Int, height: Int, fit: ImageFit) -> Int {
        let side = fit == .crop ? min(width, height) : max(width, height)
        return resolutions.first { $0 >= side } ?? resolutions.last!
    }

    public init(
        kind: Kind = .dcgan, resolution: Int, channels: Int, classes: Int, latent: Int = 100, embedding: Int = 50,
        ngf: Int = defaultWidth, ndf: Int = defaultWidth
    ) {
        self.kind = kind
        self.resolution = resolution
        self.channels = channels
        self.classes = classes
        self.latent = latent
        self.embedding = embedding
        self.ngf = ngf
        self.ndf = ndf
    }

    /// Up- or down-sampling stages between 4×4 and the resolution.
    var levels: Int { Self.resolutions.firstIndex(of: resolution).map { $0 + 2 } ?? 0 }

    public func validate() throws(GANError) {
        guard Self.resolutions.contains(resolution) else {
            throw GANError(.settings, "resolution \(resolution) is not one of 16, 32, 64, 128")
        }
        guard channels == 1 || channels == 3 else { throw GANError(.settings, "images must have 1 or 3 channels, not \(channels)") }
        guard classes >= 1 else { throw GANError(.data, "the dataset has no classes") }
        guard (1...4096).contains(latent), (1...4096).contains(embedding), (1...1024).contains(ngf), (1...1024).contains(ndf) else {
            throw GANError(.settings, "latent, embedding, ngf and ndf must be between 1 and 1024–4096")
        }
    }
}

/// Noise and a label embedding, concatenated, through transposed convolutions to a
/// `channels × resolution²` image in [-1, 1] (DCGAN: batch norm and ReLU between, Tanh last).
/// Parameter names match `Benchmarks/peers/dcgan_torch.py`'s `Generator` (`embed.weight`, `net.1.weight`, …).
public final class Generator {
    public let architecture: GANArchitecture
    let embed: Embedding
    let net: Sequential

    public init(_ a: GANArchitecture, random: inout RandomStream) {
        architecture = a
        embed = Embedding(a.classes, a.embedding, random: &random)
        var layers: [any Layer] = [Reshape([a.latent + a.embedding, 1, 1])]
        var width = a.ngf << (a.levels - 1)
        layers += [ConvTranspose2d(a.latent + a.embedding, width, kernel: 4, bias: false, random: &random), BatchNorm2d(width), ReLU()]
        for _ in 1..<a.levels {
            layers += [
                ConvTranspose2d(width, width / 2, kernel: 4, stride: 2, padding: 1, bias: false, random: &random),
                BatchNorm2d(width / 2), ReLU(),
            ]
            width /= 2
        }
        layers += [ConvTranspose2d(width, a.channels, kernel: 4, stride: 2, padding: 1, bias: false, random: &random), Tanh()]
        net = Sequential(layers)
        Self.initializeDCGAN(net, random: &random)
    }

    /// `(N, latent)` noise and N labels → `(N, channels, resolution, resolution)`.
    public func forward(noise: Tensor, labels: [Int], training: Bool) -> Tensor {
        let code = embed.forward(labels)
        var joined = [Float]()
        joined.reserveCapacity(noise.count + code.count)
        for row in 0..<labels.count {
            joined += noise.storage[row * architecture.latent..<(row + 1) * architecture.latent]
            joined += code.storage[row * architecture.embedding..<(row + 1) * architecture.embedding]
        }
        return net.forward(
            Tensor(shape: [labels.count, architecture.latent + architecture.embedding], storage: joined), training: training)
    }

    /// Backward from the gradient of the images; accumulates into every parameter, embedding included.
    public func backward(_ gradient: Tensor) {
        let joined = net.backward(gradient)
        let width = architecture.latent + architecture.embedding
        var code = [Float]()
        code.reserveCapacity(joined.batch * architecture.embedding)
        for row in 0..<joined.batch { code += joined.storage[row * width + architecture.latent..<(row + 1) * width] }
        embed.backward(Tensor(shape: [joined.batch, architecture.embedding], storage: code))
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("embed.weight", embed.weight)] + net.parameters.map { ("net.\($0.name)", $0.parameter) }
    }

    public var buffers: [(name: String, parameter: Parameter)] { net.buffers.map { ("net.\($0.name)", $0.parameter) } }

    /// DCGAN's initialization: convolutions N(0, 0.02), batch-norm scales N(1, 0.02), shifts 0.
    static func initializeDCGAN(_ net: Sequential, random: inout RandomStream) {
        for layer in net.layers {
            switch layer {
            case let conv as ConvTranspose2d: conv.weight.value = reinitialized(conv.weight.value, mean: 0, random: &random)
            case let conv as Conv2d: conv.weight.value = reinitialized(conv.weight.value, mean: 0, random: &random)
            case let norm as BatchNorm2d: norm.weight.value = reinitialized(norm.weight.value, mean: 1, random: &random)
            default: break
            }
        }
    }

    private static func reinitialized(_ t: Tensor, mean: Float, random: inout RandomStream) -> Tensor {
        Tensor(shape: t.shape, storage: t.storage.map { _ in mean + 0.02 * Float(random.nextNormal()) })
    }
}

/// Strided convolutions down to `4 × 4` features, averaged over space into `h`; the logit is
/// `linear(h) + ⟨embed(label), h⟩` (the projection discriminator of Miyato & Koyama).
/// Parameter names match `Benchmarks/peers/dcgan_torch.py`'s `Discriminator`.
public final class Discriminator {
    public let architecture: GANArchitecture
    let net: Sequential
    let pool = GlobalAveragePool()
    let linear: Linear
    let embed: Embedding
    private var features: Tensor?
    private var code: Tensor?

    public init(_ a: GANArchitecture, random: inout RandomStream) {
        architecture = a
        var width = a.ndf
        var layers: [any Layer] = [
            Conv2d(a.channels, width, kernel: 4, stride: 2, padding: 1, bias: false, random: &random), LeakyReLU(slope: 0.2),
        ]
        for _ in 1..<a.levels {
            layers += [
                Conv2d(width, width * 2, kernel: 4, stride: 2, padding: 1, bias: false, random: &random), BatchNorm2d(width * 2),
                LeakyReLU(slope: 0.2),
            ]
            width *= 2
        }
        net = Sequential(layers)
        linear = Linear(width, 1, random: &random)
        embed = Embedding(a.classes, width, random: &random)
        Generator.initializeDCGAN(net, random: &random)
        // Small projection weights: the class term starts as a nudge, not the whole answer.
        embed.weight.value = embed.weight.value.scaled(by: 0.02)
    }

    public var featureWidth: Int { linear.inFeatures }

    /// Images `(N, C, R, R)` and labels → logits `(N, 1)`.
    public func forward(_ images: Tensor, labels: [Int], training: Bool) -> Tensor {
        let h = pool.forward(net.forward(images, training: training), training: training)
        let e = embed.forward(labels)
        features = h
        code = e
        return Projection.logits(linear.forward(h, training: training), features: h, code: e)
    }

    /// Backward from the gradient of the logits; returns the gradient of the images, or an
    /// empty tensor when `imageGradient` is false (the discriminator's own update needs none).
    public func backward(_ gradient: Tensor, imageGradient: Bool = true) -> Tensor {
        (net.layers[0] as? Conv2d)?.computesInputGradient = imageGradient
        defer { (net.layers[0] as? Conv2d)?.computesInputGradient = true }
        guard let h = features, let e = code else { preconditionFailure("backward before forward") }
        let (featureGradient, codeGradient) = Projection.backward(gradient, linear: linear.backward(gradient), features: h, code: e)
        embed.backward(codeGradient)
        return net.backward(pool.backward(featureGradient))
    }

    public var parameters: [(name: String, parameter: Parameter)] {
        net.parameters.map { ("net.\($0.name)", $0.parameter) } + [
            ("linear.weight", linear.weight), ("linear.bias", linear.bias!), ("embed.weight", embed.weight),
        ]
    }

    public var buffers: [(name: String, parameter: Parameter)] { net.buffers.map { ("net.\($0.name)", $0.parameter) } }
}

/// The projection discriminator's logit (Miyato & Koyama 2018): `linear(h) + ⟨embed(label), h⟩`.
enum Projection {
    /// `linear` is `linear(h)` `(N, 1)`; `features` h and `code` embed(label) are `(N, W)`.
    static func logits(_ linear: Tensor, features: Tensor, code: Tensor) -> Tensor {
        var logits = linear
        let width = features.itemCount
        for row in 0..<features.batch {
            var dot: Float = 0
            for j in 0..<width { dot += features.storage[row * width + j] * code.storage[row * width + j] }
            logits.storage[row] += dot
        }
        return logits
    }

    /// The gradients of h (`linear`'s input gradient plus the projection's) and of the code.
    static func backward(_ gradient: Tensor, linear: Tensor, features: Tensor, code: Tensor) -> (features: Tensor, code: Tensor) {
        var featureGradient = linear
        var codeGradient = Tensor(shape: code.shape)
        let width = features.itemCount
        for row in 0..<gradient.batch {
            let g = gradient.storage[row]
            for j in 0..<width {
                featureGradient.storage[row * width + j] += g * code.storage[row * width + j]
                codeGradient.storage[row * width + j] = g * features.storage[row * width + j]
            }
        }
        return (featureGradient, codeGradient)
    }
}

/// What went wrong in GAN training, sampling or evaluation, in words for the user.
public struct GANError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The dataset cannot be learned from: too few images, mixed sizes or channels, a class
        /// without images, an image without a class, an unreadable image.
        case data
        /// An impossible architecture or training setting.
        case settings
        /// A run folder or checkpoint that is damaged, foreign, or from another architecture.
        case checkpoint
        /// Reading or writing the run folder failed.
        case io
    }

    public let code: Code
    public var description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
