import StudioCore
import Testing

@testable import NeuralNet

/// oneDNN's convolution primitives against the im2col reference, on shapes that split the batch
/// over threads, odd sizes that need oneDNN's right padding, and single channels.
@Suite struct PrimitivesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var transposed: Bool
        var batch: Int
        var inChannels: Int
        var outChannels: Int
        var size: (height: Int, width: Int)
        var kernel: Int
        var stride: Int
        var padding: Int
        var bias: Bool

        var testDescription: String {
            "\(transposed ? "deconv" : "conv") n\(batch) \(inChannels)→\(outChannels) \(size.height)×\(size.width) "
                + "k\(kernel) s\(stride) p\(padding)\(bias ? " bias" : "")"
        }
    }

    static let cases: [Case] = [
        Case(transposed: false, batch: 2, inChannels: 3, outChannels: 4, size: (5, 5), kernel: 3, stride: 1, padding: 1, bias: true),
        Case(transposed: false, batch: 3, inChannels: 2, outChannels: 16, size: (7, 6), kernel: 4, stride: 2, padding: 1, bias: false),
        Case(transposed: false, batch: 8, inChannels: 32, outChannels: 64, size: (16, 16), kernel: 4, stride: 2, padding: 1, bias: false),
        Case(transposed: false, batch: 5, inChannels: 16, outChannels: 32, size: (16, 16), kernel: 3, stride: 1, padding: 1, bias: true),
        Case(transposed: false, batch: 5, inChannels: 1, outChannels: 64, size: (32, 32), kernel: 4, stride: 2, padding: 1, bias: true),
        Case(transposed: true, batch: 2, inChannels: 3, outChannels: 2, size: (4, 4), kernel: 4, stride: 2, padding: 1, bias: true),
        Case(transposed: true, batch: 7, inChannels: 60, outChannels: 32, size: (1, 1), kernel: 4, stride: 1, padding: 0, bias: false),
        Case(transposed: true, batch: 8, inChannels: 64, outChannels: 32, size: (8, 8), kernel: 4, stride: 2, padding: 1, bias: false),
        Case(transposed: true, batch: 5, inChannels: 32, outChannels: 1, size: (16, 16), kernel: 4, stride: 2, padding: 1, bias: true),
    ]

    /// The layer with the same weights under both implementations.
    func layers(_ c: Case) -> (oneDNN: any Layer, reference: any Layer) {
        func make(_ implementation: ConvolutionImplementation) -> any Layer {
            var random = RandomStream(seed: 11)
            if c.transposed {
                let layer = ConvTranspose2d(
                    c.inChannels, c.outChannels, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias, random: &random)
                layer.implementation = implementation
                return layer
            }
            let layer = Conv2d(
                c.inChannels, c.outChannels, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias, random: &random)
            layer.implementation = implementation
            return layer
        }
        return (make(.oneDNN), make(.im2col))
    }

    func pass(_ layer: any Layer, _ c: Case, repeats: Int = 1) -> (output: Tensor, inputGradient: Tensor, parameters: [[Float]]) {
        let input = formula([c.batch, c.inChannels, c.size.height, c.size.width], 0.37, 0.2)
        for (_, parameter) in layer.parameters { parameter.zeroGradient() }
        var output = Tensor(shape: [0])
        var inputGradient = Tensor(shape: [0])
        for _ in 0..<repeats {
            output = layer.forward(input, training: true)
            inputGradient = layer.backward(formula(output.shape, 0.23, 0.7))
        }
        return (output, inputGradient, layer.parameters.map(\.parameter.gradient.storage))
    }

    @Test(arguments: cases) func matchesIm2col(_ c: Case) {
        let (oneDNN, reference) = layers(c)
        let got = pass(oneDNN, c)
        let want = pass(reference, c)
        #expect(got.output.shape == want.output.shape)
        expectClose(got.output.storage, want.output.storage.map(Double.init), "output")
        expectClose(got.inputGradient.storage, want.inputGradient.storage.map(Double.init), "input gradient")
        for (g, w) in zip(got.parameters, want.parameters) { expectClose(g, w.map(Double.init), "parameter gradient") }
    }

    @Test(arguments: cases) func everyPassHasAPrimitive(_ c: Case) {
        let input = [c.size.height, c.size.width]
        let output =
            c.transposed
            ? input.map { ($0 - 1) * c.stride - 2 * c.padding + c.kernel } : input.map { ($0 + 2 * c.padding - c.kernel) / c.stride + 1 }
        let shape = ConvolutionPrimitives.Shape(
            kind: c.transposed ? .deconvolution : .convolution, batch: c.batch, inChannels: c.inChannels, outChannels: c.outChannels,
            inHeight: input[0], inWidth: input[1], outHeight: output[0], outWidth: output[1], kernel: c.kernel, stride: c.stride,
            padding: c.padding)
        let primitives = ConvolutionPrimitives(shape)
        #expect(primitives != nil)
        for operation in ConvolutionPrimitives.Operation.allCases { #expect(primitives?.prepare(operation) == true) }
    }

    /// Fixed batch parts and a fixed order of their weight gradients: bit-identical runs, and
    /// gradients that add up over backward calls.
    @Test func deterministicAndAccumulating() {
        let c = Self.cases[2]
        let first = pass(layers(c).oneDNN, c)
        let again = pass(layers(c).oneDNN, c)
        #expect(first.output.storage == again.output.storage)
        #expect(first.inputGradient.storage == again.inputGradient.storage)
        #expect(first.parameters == again.parameters)
        let twice = pass(layers(c).oneDNN, c, repeats: 2)
        expectClose(twice.parameters[0], first.parameters[0].map { 2 * Double($0) }, "gradient after two passes")
    }

    /// `.automatic` leaves passes that produce one channel to im2col and still agrees.
    @Test func automaticMixesImplementations() {
        let c = Self.cases[8]
        var random = RandomStream(seed: 11)
        let automatic = ConvTranspose2d(
            c.inChannels, c.outChannels, kernel: c.kernel, stride: c.stride, padding: c.padding, bias: c.bias, random: &random)
        let got = pass(automatic, c)
        let want = pass(layers(c).reference, c)
        expectClose(got.output.storage, want.output.storage.map(Double.init), "output")
        expectClose(got.inputGradient.storage, want.inputGradient.storage.map(Double.init), "input gradient")
        for (g, w) in zip(got.parameters, want.parameters) { expectClose(g, w.map(Double.init), "parameter gradient") }
    }
}
