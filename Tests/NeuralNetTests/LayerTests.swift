import NeuralNet
import StudioCore
import Testing

/// Forward values and gradients against PyTorch (Fixtures/torch_layers.json).
@Suite struct AgainstPyTorchTests {
    /// Sets parameters from the recording's formulas, runs forward and backward, compares all.
    func check(
        _ layer: some Layer, case name: String, input: Tensor, parameters: [String: (Double, Double)],
        training: Bool = true
    ) {
        let reference = torchCases[name]!
        for (parameterName, parameter) in layer.parameters {
            if let (a, b) = parameters[parameterName] {
                parameter.value = formula(parameter.value.shape, a, b)
            }
            parameter.zeroGradient()
        }
        let output = layer.forward(input, training: training)
        expectClose(output.storage, reference["output"], "\(name) output")
        #expect(output.shape == reference["output_shape"]!.map { Int($0) })
        let inputGradient = layer.backward(formula(output.shape, 0.23, 0.7))
        expectClose(inputGradient.storage, reference["input_gradient"], "\(name) input gradient")
        for (parameterName, parameter) in layer.parameters {
            expectClose(parameter.gradient.storage, reference[parameterName + "_gradient"], "\(name) \(parameterName) gradient")
        }
        for (bufferName, buffer) in layer.buffers where reference[bufferName] != nil {
            expectClose(buffer.value.storage, reference[bufferName], "\(name) \(bufferName)")
        }
    }

    @Test(arguments: ConvolutionImplementation.allCases) func convolutions(_ implementation: ConvolutionImplementation) {
        var random = RandomStream(seed: 1)
        func conv(_ layer: Conv2d) -> Conv2d {
            layer.implementation = implementation
            return layer
        }
        func convT(_ layer: ConvTranspose2d) -> ConvTranspose2d {
            layer.implementation = implementation
            return layer
        }
        check(
            conv(Conv2d(3, 4, kernel: 3, stride: 1, padding: 1, random: &random)), case: "conv_k3_s1_p1",
            input: formula([2, 3, 5, 5], 0.11, 0.3), parameters: ["weight": (0.37, 0.1), "bias": (0.5, 0.2)])
        check(
            conv(Conv2d(2, 3, kernel: 4, stride: 2, padding: 1, bias: false, random: &random)), case: "conv_k4_s2_p1",
            input: formula([2, 2, 8, 8], 0.13, 0.4), parameters: ["weight": (0.29, 0.6)])
        check(
            convT(ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1, random: &random)), case: "convt_k4_s2_p1",
            input: formula([2, 3, 4, 4], 0.17, 0.5), parameters: ["weight": (0.31, 0.2), "bias": (0.7, 0.1)])
        check(
            convT(ConvTranspose2d(5, 3, kernel: 4, stride: 1, padding: 0, bias: false, random: &random)),
            case: "convt_k4_s1_p0", input: formula([2, 5, 1, 1], 0.19, 0.8), parameters: ["weight": (0.41, 0.3)])
    }

    @Test func batchNormTrainThenEval() {
        let norm = BatchNorm2d(3)
        let parameters = ["weight": (0.3, 1.2), "bias": (0.9, 0.4)]
        check(norm, case: "batchnorm_train", input: formula([4, 3, 2, 2], 0.53, 0.2), parameters: parameters)
        check(norm, case: "batchnorm_eval", input: formula([2, 3, 2, 2], 0.61, 0.1), parameters: parameters, training: false)
    }

    @Test func linearAndActivations() {
        var random = RandomStream(seed: 2)
        check(
            Linear(5, 4, random: &random), case: "linear", input: formula([3, 5], 0.43, 0.9),
            parameters: ["weight": (0.27, 0.5), "bias": (0.33, 0.6)])
        let x = formula([2, 7], 0.9, 0.1, scale: 4)
        check(LeakyReLU(slope: 0.2), case: "leaky_relu", input: x, parameters: [:])
        check(Tanh(), case: "tanh", input: x, parameters: [:])
        check(Sigmoid(), case: "sigmoid", input: x, parameters: [:])
        check(ReLU(), case: "relu", input: x, parameters: [:])
    }

    @Test func losses() {
        let logits = formula([6, 1], 1.3, 0.2, scale: 8)
        for target in [0, 1] {
            let result = Loss.binaryCrossEntropyWithLogits(logits, target: Float(target))
            expectClose([result.value], torchCases["bce_target\(target)"]!["output"], "bce value")
            expectClose(result.gradient.storage, torchCases["bce_target\(target)"]!["input_gradient"], "bce gradient")
        }
        let result = Loss.softmaxCrossEntropy(formula([3, 4], 0.7, 0.3, scale: 6), labels: [2, 0, 3])
        expectClose([result.value], torchCases["cross_entropy"]!["output"], "cross entropy value")
        expectClose(result.gradient.storage, torchCases["cross_entropy"]!["input_gradient"], "cross entropy gradient")
    }

    @Test func adamMatchesTorch() {
        let parameter = Parameter(formula([2, 3], 0.3, 0.1))
        let adam = Adam([("p", parameter)], learningRate: 0.01, beta1: 0.5, beta2: 0.999)
        for step in 0..<3 {
            parameter.gradient = formula([2, 3], 0.7 + Double(step), 0.2)
            adam.update()
        }
        let reference = torchCases["adam_3_steps"]!
        expectClose(parameter.value.storage, reference["output"], tolerance: 1e-6, "parameter")
        expectClose(adam.firstMoments[0].storage, reference["exp_avg"], tolerance: 1e-6, "exp_avg")
        expectClose(adam.secondMoments[0].storage, reference["exp_avg_sq"], tolerance: 1e-6, "exp_avg_sq")
    }
}

/// Every layer's backward pass against central differences.
@Suite struct GradientCheckTests {
    @Test(arguments: ConvolutionImplementation.allCases) func convolutionLayers(_ implementation: ConvolutionImplementation) {
        var random = RandomStream(seed: 3)
        let layers: [(any Layer, Tensor)] = [
            (Conv2d(2, 3, kernel: 3, padding: 1, random: &random), formula([2, 2, 5, 5], 0.3, 0.2)),
            (Conv2d(2, 3, kernel: 4, stride: 2, padding: 1, random: &random), formula([2, 2, 6, 6], 0.7, 0.1)),
            (ConvTranspose2d(3, 2, kernel: 4, stride: 2, padding: 1, random: &random), formula([2, 3, 3, 3], 0.5, 0.4)),
            (ConvTranspose2d(4, 2, kernel: 4, random: &random), formula([3, 4, 1, 1], 0.9, 0.3)),
        ]
        for (layer, input) in layers {
            (layer as? Conv2d)?.implementation = implementation
            (layer as? ConvTranspose2d)?.implementation = implementation
            checkGradients(of: layer, input: input)
        }
    }

    @Test func normalizationDenseAndPooling() {
        var random = RandomStream(seed: 4)
        checkGradients(of: BatchNorm2d(3), input: formula([4, 3, 2, 2], 0.53, 0.2, scale: 3))
        checkGradients(of: BatchNorm2d(3), input: formula([2, 3, 2, 2], 0.53, 0.2, scale: 3), training: false)
        checkGradients(of: Linear(6, 3, random: &random), input: formula([4, 6], 0.2, 0.5))
        checkGradients(of: GlobalAveragePool(), input: formula([2, 3, 2, 3], 0.4, 0.5))
        checkGradients(
            of: Sequential([Reshape([4, 1, 1]), ConvTranspose2d(4, 2, kernel: 4, random: &random), BatchNorm2d(2), Tanh()]),
            input: formula([3, 4], 0.8, 0.2))
    }

    @Test func activations() {
        // Away from the kinks of ReLU and LeakyReLU, where finite differences straddle the corner.
        let x = Tensor(shape: [2, 5], storage: [-2.1, -1.3, -0.6, 0.4, 0.9, 1.7, -0.8, 0.3, 2.2, -1.9])
        checkGradients(of: ReLU(), input: x)
        checkGradients(of: LeakyReLU(slope: 0.2), input: x)
        checkGradients(of: Tanh(), input: x)
        checkGradients(of: Sigmoid(), input: x)
    }

    @Test func embeddingAndHingeLosses() {
        var random = RandomStream(seed: 5)
        let embedding = Embedding(4, 3, random: &random)
        let rows = embedding.forward([2, 0, 2])
        #expect(Array(rows.storage[0..<3]) == Array(embedding.weight.value.storage[6..<9]))
        embedding.backward(Tensor(shape: [3, 3], repeating: 1))
        #expect(embedding.weight.gradient.storage == [1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0])

        let logits = Tensor(shape: [4, 1], storage: [-2, -0.5, 0.5, 2])
        let real = Loss.hingeDiscriminator(logits, real: true)
        #expect(abs(real.value - (3 + 1.5 + 0.5 + 0) / 4) < 1e-6)
        #expect(real.gradient.storage == [-0.25, -0.25, -0.25, 0])
        let fake = Loss.hingeDiscriminator(logits, real: false)
        #expect(abs(fake.value - (0 + 0.5 + 1.5 + 3) / 4) < 1e-6)
        #expect(Loss.hingeGenerator(logits).value == 0)
    }

    /// The mode-seeking term: its value by the formula on a hand-made pair, its gradient against
    /// central differences, and it falls as the pairs move apart.
    @Test func modeSeekingTerm() {
        // Two pairs of 2-value images; noise rows 2 apart in each of 3 dimensions.
        let images = Tensor(shape: [4, 2], storage: [0.5, -0.5, 1, 0, 0.25, 0.5, 0, 0])
        let noise = Tensor(shape: [4, 3], storage: [1, 1, 1, 0, 0, 0, -1, -1, -1, 2, 2, 2])
        let term = Loss.modeSeeking(images: images, noise: noise, weight: 2)
        let ratio: Float = ((0.25 + 1 + 1 + 0) / 4) / 2
        #expect(abs(term.value - 2 / (ratio + 1e-5)) < 1e-4)
        var random = RandomStream(seed: 9)
        let x = Tensor(shape: [6, 1, 2, 2], storage: (0..<24).map { _ in Float(random.nextNormal()) })
        let z = Tensor(shape: [6, 4], storage: (0..<24).map { _ in Float(random.nextNormal()) })
        let analytic = Loss.modeSeeking(images: x, noise: z, weight: 1.5).gradient
        for i in 0..<x.count {
            var plus = x
            var minus = x
            plus.storage[i] += 1e-3
            minus.storage[i] -= 1e-3
            let numeric =
                (Loss.modeSeeking(images: plus, noise: z, weight: 1.5).value - Loss.modeSeeking(images: minus, noise: z, weight: 1.5).value)
                / 2e-3
            #expect(abs(numeric - analytic.storage[i]) < 2e-2 * max(1, abs(numeric)), "[\(i)]: \(analytic.storage[i]) vs \(numeric)")
        }
        #expect(analytic.storage.contains { $0 != 0 })
        let apart = Loss.modeSeeking(images: x.scaled(by: 2), noise: z, weight: 1.5)
        #expect(apart.value < Loss.modeSeeking(images: x, noise: z, weight: 1.5).value)
    }
}
