import Datasets
import Foundation
import NeuralNet
import StudioCore
import TestSupport
import Testing

@testable import GAN

/// Central differences through the residual networks (evaluation mode: running statistics and
/// the stored power-iteration vectors keep both functions of the weights alone).
@Suite struct ResidualNetworkTests {
    let architecture = GANArchitecture(
        kind: .resnet, resolution: 16, channels: 1, classes: 3, latent: 6, embedding: 4, ngf: 4, ndf: 4)

    func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = RandomStream(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in scale * Float(random.nextNormal()) })
    }

    @Test func discriminatorGradientsThroughSpectralNormAndResidualBlocks() {
        var random = RandomStream(seed: 1)
        let d = ResidualDiscriminator(architecture, random: &random)
        // Run a few training forwards so u and v are past their random start.
        for _ in 0..<3 { _ = d.forward(randomTensor([2, 1, 16, 16], seed: 9), labels: [0, 1], training: true) }
        checkDiscriminator(
            d,
            [
                "blocks.0.conv1.weight_orig", "blocks.0.shortcut.weight_orig", "blocks.1.conv2.weight_orig", "blocks.1.conv1.bias",
                "linear.weight_orig", "embed.weight_orig",
            ], imageStride: 41, parameterStride: 5, parameterStep: 1e-3, tolerance: 3e-2)
        #expect(d.buffers.contains { $0.name == "blocks.0.conv1.weight_u" } && d.buffers.contains { $0.name == "embed.weight_v" })
    }

    @Test func generatorGradientsThroughConditionalBatchNorm() {
        var random = RandomStream(seed: 3)
        let g = ResidualGenerator(architecture, random: &random)
        // Running statistics away from 0 and 1, and class scales away from 1.
        _ = g.forward(noise: randomTensor([4, 6], seed: 7), labels: [0, 1, 2, 0], training: true)
        for (name, p) in g.parameters where name.hasSuffix("gamma.weight") || name.hasSuffix("beta.weight") {
            p.value = randomTensor(p.value.shape, seed: 8, scale: 0.3)
        }
        checkGenerator(
            g,
            [
                "linear.weight", "blocks.0.bn1.gamma.weight", "blocks.1.bn2.beta.weight", "blocks.0.conv1.weight",
                "blocks.1.shortcut.weight",
                "final_conv.weight", "final_bn.weight",
            ], stride: 7, step: 1e-3, tolerance: 3e-2)
        let gamma = g.parameters.first { $0.name == "blocks.0.bn1.gamma.weight" }!.parameter.gradient
        let width = gamma.shape[1]
        #expect(gamma.storage[(2 * width)..<(3 * width)].allSatisfy { $0 == 0 }, "class 2 is not in the batch")
    }

    /// Each architecture at each resolution: trains, resumes bit for bit, samples at the data's size.
    @Test(arguments: [GANArchitecture.Kind.resnet, .dcgan], [16, 32, 64, 128])
    func trainsResumesAndSamples(kind: GANArchitecture.Kind, resolution: Int) throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: resolution)
        var info = tinyInfo(data)
        info.architecture.kind = kind
        info.architecture.resolution = resolution
        info.settings.loss = .hinge
        // The ResNet with its default mode-seeking term: paired batches resume bit for bit too.
        info.settings.modeSeeking = GANSettings(for: kind).modeSeeking
        info.architecture.ngf = 4
        info.architecture.ndf = 4
        let straight = GANModel(info: info)
        for _ in 0..<4 {
            let losses = straight.trainStep(on: data)
            #expect(losses.discriminator.isFinite && losses.generator.isFinite)
        }
        let first = GANModel(info: info)
        for _ in 0..<2 { _ = first.trainStep(on: data) }
        let resumed = GANModel(info: info)
        try resumed.restore(first.checkpoint())
        for _ in 0..<2 { _ = resumed.trainStep(on: data) }
        #expect(resumed.checkpoint() == straight.checkpoint(), "\(kind) at \(resolution) px resumes bit for bit")
        var stream = RandomStream(seed: 1)
        let image = straight.sample(classIndex: 1, stream: &stream)
        #expect(image.width == 8 && image.height == 8)
        #expect(straight.generate(noise: Tensor(shape: [1, 8]), labels: [0]).shape == [1, 1, resolution, resolution])
        let run = "\(folder.path)/run"
        try info.write(run: run)
        #expect(try GANRunInfo.read(run: run).architecture == info.architecture)
        if kind == .resnet {
            let names = try SafeTensors.decode(straight.checkpoint()).entries.map(\.name)
            #expect(names.contains("generator.blocks.0.bn1.gamma.weight") && names.contains("discriminator.blocks.0.conv1.weight_orig"))
        }
    }

    @Test func anUnknownArchitectureKindIsRefused() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        var info = tinyInfo(data)
        info.architecture.kind = .resnet
        let run = "\(folder.path)/run"
        try info.write(run: run)
        let text = try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8)
        #expect(text.contains("\"kind\": \"conditional-resnet\""))
        try text.replacingOccurrences(of: "conditional-resnet", with: "conditional-vae").write(
            toFile: GANRunInfo.path(run), atomically: true, encoding: .utf8)
        let error = #expect(throws: GANError.self) { try GANRunInfo.read(run: run) }
        #expect(error?.description.contains("architecture.kind") == true)
    }
}
