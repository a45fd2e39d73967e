import GAN
import NeuralNet
import StudioCore
import Testing

/// Checks every `stride`-th entry of the named tensors against central differences of `loss`.
func checkGradients(
    _ named: [(name: String, parameter: Parameter)], _ wanted: [String], stride by: Int, step: Float = 1e-3,
    tolerance: Float = 3e-2, loss: () -> Float
) {
    for name in wanted {
        guard let p = named.first(where: { $0.name == name })?.parameter else {
            Issue.record("no parameter \(name) in \(named.map(\.name))")
            continue
        }
        let gradient = p.gradient
        for i in stride(from: 0, to: p.value.count, by: by) {
            p.value.storage[i] += step
            let plus = loss()
            p.value.storage[i] -= 2 * step
            let numeric = (plus - loss()) / (2 * step)
            p.value.storage[i] += step
            #expect(
                abs(numeric - gradient.storage[i]) < tolerance * max(1, abs(numeric)), "\(name)[\(i)]: \(gradient.storage[i]) vs \(numeric)"
            )
        }
    }
}

/// `Σ logits · w` of four random 16-px images through a discriminator in evaluation mode (batch
/// statistics and power iterations out of the way): the image gradient at every `imageStride`-th
/// pixel (step 1e-2) and the named parameters' gradients against central differences.
func checkDiscriminator(
    _ d: any ConditionalDiscriminator, _ wanted: [String], imageStride: Int, parameterStride: Int, parameterStep: Float,
    tolerance: Float
) {
    var random = RandomStream(seed: 2)
    let images = Tensor(shape: [4, 1, 16, 16], storage: (0..<1024).map { _ in Float(random.nextNormal()) })
    let labels = [0, 2, 1, 2]
    let weights: [Float] = [0.7, -1.1, 0.4, 1.3]
    func loss(_ x: Tensor) -> Float {
        zip(d.forward(x, labels: labels, training: false).storage, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for (_, p) in d.parameters { p.zeroGradient() }
    _ = d.forward(images, labels: labels, training: false)
    let analytic = d.backward(Tensor(shape: [4, 1], storage: weights), imageGradient: true)
    let step: Float = 1e-2
    for i in stride(from: 0, to: images.count, by: imageStride) {
        var x = images
        x.storage[i] += step
        let plus = loss(x)
        x.storage[i] -= 2 * step
        let numeric = (plus - loss(x)) / (2 * step)
        #expect(abs(numeric - analytic.storage[i]) < tolerance * max(1, abs(numeric)), "image[\(i)]: \(analytic.storage[i]) vs \(numeric)")
    }
    checkGradients(d.parameters, wanted, stride: parameterStride, step: parameterStep, tolerance: tolerance) { loss(images) }
}

/// `Σ images · upstream` of three images (labels 1, 0, 1) from fixed noise through a generator in
/// evaluation mode: the named parameters' gradients against central differences.
func checkGenerator(_ g: any ConditionalGenerator, _ wanted: [String], stride: Int, step: Float, tolerance: Float) {
    var random = RandomStream(seed: 4)
    let latent = g.architecture.latent, side = g.architecture.resolution
    let noise = Tensor(shape: [3, latent], storage: (0..<(3 * latent)).map { _ in Float(random.nextNormal()) })
    let labels = [1, 0, 1]
    let upstream = Tensor(shape: [3, 1, side, side], storage: (0..<(3 * side * side)).map { _ in Float(random.nextNormal()) })
    func loss() -> Float {
        zip(g.forward(noise: noise, labels: labels, training: false).storage, upstream.storage).reduce(0) { $0 + $1.0 * $1.1 }
    }
    for (_, p) in g.parameters { p.zeroGradient() }
    #expect(g.forward(noise: noise, labels: labels, training: false).shape == [3, 1, side, side])
    g.backward(upstream)
    checkGradients(g.parameters, wanted, stride: stride, step: step, tolerance: tolerance, loss: loss)
}
