import NeuralNet
import StudioCore
import Testing

/// The layers of the residual GAN: spectral normalization and 2× resampling.
@Suite struct ResidualLayerTests {
    func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = RandomStream(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in scale * Float(random.nextNormal()) })
    }

    /// After enough training forwards the normalized weight's largest singular value is 1.
    @Test func spectralNormBringsTheLargestSingularValueToOne() {
        var random = RandomStream(seed: 5)
        let layer = SpectralNormalized(Linear(12, 7, random: &random), random: &random)
        layer.norm.original.value = randomTensor([7, 12], seed: 6, scale: 3)
        for _ in 0..<50 { _ = layer.forward(Tensor(shape: [1, 12]), training: true) }
        // σ of W/σ by a long power iteration of its own.
        let w = layer.layer.weight.value.storage
        var v = [Float](repeating: 1, count: 12)
        var sigma: Float = 0
        for _ in 0..<200 {
            var u = [Float](repeating: 0, count: 7)
            for r in 0..<7 { for c in 0..<12 { u[r] += w[r * 12 + c] * v[c] } }
            var next = [Float](repeating: 0, count: 12)
            for r in 0..<7 { for c in 0..<12 { next[c] += w[r * 12 + c] * u[r] } }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            sigma = norm.squareRoot()
            v = next.map { $0 / norm }
        }
        #expect(abs(sigma - 1) < 1e-3, "σ = \(sigma)")
    }

    @Test func resamplingBackwardIsTheAdjoint() {
        let x = randomTensor([2, 3, 4, 6], seed: 1)
        for layer in [Upsample2x(), AveragePool2x()] as [any Layer] {
            let y = layer.forward(x, training: false)
            let dy = randomTensor(y.shape, seed: 2)
            let dx = layer.backward(dy)
            let lhs = zip(y.storage, dy.storage).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let rhs = zip(x.storage, dx.storage).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(abs(lhs - rhs) < 1e-4 * max(1, abs(lhs)), "\(type(of: layer))")
        }
        #expect(Upsample2x().forward(x, training: false).shape == [2, 3, 8, 12])
        #expect(AveragePool2x().forward(x, training: false).shape == [2, 3, 2, 3])
    }
}
