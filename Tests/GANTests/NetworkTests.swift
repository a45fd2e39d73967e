import GAN
import NeuralNet
import StudioCore
import Testing

/// Central differences of `Σ logits · w` through a whole discriminator and generator.
@Suite struct NetworkGradientTests {
    let architecture = GANArchitecture(resolution: 16, channels: 1, classes: 3, latent: 6, embedding: 4, ngf: 4, ndf: 4)

    func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = RandomStream(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(random.nextNormal()) })
    }

    @Test func discriminatorImageAndParameterGradients() {
        var random = RandomStream(seed: 1)
        checkDiscriminator(
            Discriminator(architecture, random: &random), ["embed.weight", "linear.weight", "linear.bias"], imageStride: 37,
            parameterStride: 3, parameterStep: 1e-2, tolerance: 2e-2)
    }

    @Test func generatorEmbeddingGradient() {
        var random = RandomStream(seed: 3)
        let g = Generator(architecture, random: &random)
        checkGenerator(g, ["embed.weight"], stride: 1, step: 1e-2, tolerance: 2e-2)
        let gradient = g.parameters.first { $0.name == "embed.weight" }!.parameter.gradient
        #expect(gradient.storage[8..<12].allSatisfy { $0 == 0 }, "class 2 is not in the batch")
    }

    @Test(arguments: [1, 0.5] as [Float]) func diffAugmentBackwardIsTheAdjoint(probability: Float) {
        // ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for the linear part (brightness is an offset: compare differences).
        let augment = DiffAugment(DiffAugment.Operation.allCases)
        var random = RandomStream(seed: 6)
        let plan = augment.plan(batch: 2, resolution: 16, probability: probability, random: &random)
        let x = randomTensor([2, 3, 16, 16], seed: 7)
        let y = randomTensor([2, 3, 16, 16], seed: 8)
        let zero = Tensor(shape: x.shape)
        let ax = augment.apply(x, plan).storage
        let a0 = augment.apply(zero, plan).storage
        let lhs = zip(zip(ax, a0).map { $0 - $1 }, y.storage).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let rhs = zip(x.storage, augment.backward(y, plan).storage).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) < 1e-3 * max(1, abs(lhs)))
    }

    /// ADA: at probability 0 the plan is the identity; the probability rises while the
    /// discriminator calls more than 80 % of the real images real (mean sign above 0.6), falls
    /// otherwise, within [0, 1]; fixed DiffAugment never moves.
    @Test func adaptiveAugmentation() throws {
        let augment = try DiffAugment.parse("ada")
        #expect(augment.adaptive && augment.operations == DiffAugment.Operation.allCases)
        var random = RandomStream(seed: 2)
        let x = randomTensor([4, 3, 16, 16], seed: 3)
        #expect(augment.apply(x, augment.plan(batch: 4, resolution: 16, probability: 0, random: &random)) == x)
        let all = augment.apply(x, augment.plan(batch: 4, resolution: 16, probability: 1, random: &random))
        #expect(all != x)
        let step = Float(64) / DiffAugment.imagesToFull
        #expect(abs(augment.adjusted(0.5, positiveShare: 0.9, batch: 64) - (0.5 + step)) < 1e-7)
        #expect(abs(augment.adjusted(0.5, positiveShare: 0.75, batch: 64) - (0.5 - step)) < 1e-7)
        #expect(augment.adjusted(0, positiveShare: 0.1, batch: 64) == 0 && augment.adjusted(1, positiveShare: 1, batch: 64) == 1)
        let fixed = try DiffAugment.parse("color,cutout")
        #expect(!fixed.adaptive && fixed.adjusted(1, positiveShare: 0, batch: 64) == 1)
        #expect(throws: GANError.self) { try DiffAugment.parse("ada,color") }
    }
}
