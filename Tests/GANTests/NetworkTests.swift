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
        let d = Discriminator(architecture, random: &random)
        let images = randomTensor([4, 1, 16, 16], seed: 2)
        let labels = [0, 2, 1, 2]
        let weights: [Float] = [0.7, -1.1, 0.4, 1.3]
        // Evaluation mode keeps batch statistics out of the way of finite differences.
        func loss(_ x: Tensor) -> Float {
            zip(d.forward(x, labels: labels, training: false).storage, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for (_, p) in d.parameters { p.zeroGradient() }
        _ = d.forward(images, labels: labels, training: false)
        let analytic = d.backward(Tensor(shape: [4, 1], storage: weights))
        let step: Float = 1e-2
        for i in stride(from: 0, to: images.count, by: 37) {
            var x = images
            x.storage[i] += step
            let plus = loss(x)
            x.storage[i] -= 2 * step
            let numeric = (plus - loss(x)) / (2 * step)
            #expect(abs(numeric - analytic.storage[i]) < 2e-2 * max(1, abs(numeric)), "image[\(i)]: \(analytic.storage[i]) vs \(numeric)")
        }
        for (name, p) in d.parameters where name.hasPrefix("embed") || name.hasPrefix("linear") {
            let gradient = p.gradient
            for i in stride(from: 0, to: p.value.count, by: 3) {
                p.value.storage[i] += step
                let plus = loss(images)
                p.value.storage[i] -= 2 * step
                let numeric = (plus - loss(images)) / (2 * step)
                p.value.storage[i] += step
                #expect(
                    abs(numeric - gradient.storage[i]) < 2e-2 * max(1, abs(numeric)), "\(name)[\(i)]: \(gradient.storage[i]) vs \(numeric)")
            }
        }
    }

    @Test func generatorEmbeddingGradient() {
        var random = RandomStream(seed: 3)
        let g = Generator(architecture, random: &random)
        let noise = randomTensor([3, 6], seed: 4)
        let labels = [1, 0, 1]
        let upstream = randomTensor([3, 1, 16, 16], seed: 5)
        func loss() -> Float {
            zip(g.forward(noise: noise, labels: labels, training: false).storage, upstream.storage).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for (_, p) in g.parameters { p.zeroGradient() }
        _ = g.forward(noise: noise, labels: labels, training: false)
        g.backward(upstream)
        let (_, embed) = g.parameters.first { $0.name == "embed.weight" }!
        let gradient = embed.gradient
        let step: Float = 1e-2
        for i in 0..<embed.value.count {
            embed.value.storage[i] += step
            let plus = loss()
            embed.value.storage[i] -= 2 * step
            let numeric = (plus - loss()) / (2 * step)
            embed.value.storage[i] += step
            #expect(abs(numeric - gradient.storage[i]) < 2e-2 * max(1, abs(numeric)), "embed[\(i)]: \(gradient.storage[i]) vs \(numeric)")
        }
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
