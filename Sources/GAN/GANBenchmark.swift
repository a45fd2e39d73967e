internal import Foundation
internal import NeuralNet
internal import StudioCore

/// Times a DCGAN on random data: training steps (one discriminator and one generator update, as
/// in `gan train`, without augmentation so the work equals plain DCGAN's) and the generator alone.
public enum GANBenchmark {
    public struct Result: Sendable {
        public var stepMilliseconds: [Double]
        public var generatorImagesPerSecond: Double
    }

    public static func run(architecture: GANArchitecture, settings: GANSettings, warmUp: Int = 3) throws(GANError) -> Result {
        try architecture.validate()
        var settings = settings
        settings.augment = DiffAugment([])
        let info = GANRunInfo(
            architecture: architecture, settings: settings, classes: (0..<architecture.classes).map(String.init), datasetRoot: "",
            imageCount: settings.batch, nativeWidth: architecture.resolution, nativeHeight: architecture.resolution)
        let model = GANModel(info: info)
        var random = RandomStream(seed: 99)
        let count = max(settings.batch, architecture.classes) * 2
        let side = architecture.resolution
        let images = Tensor(
            shape: [count, architecture.channels, side, side],
            storage: (0..<(count * architecture.channels * side * side)).map { _ in Float(random.nextUnit() * 2 - 1) })
        let labels = (0..<count).map { $0 % architecture.classes }
        let data = TrainingSet(images: images, labels: labels, classes: info.classes)
        for _ in 0..<warmUp { _ = model.trainStep(on: data) }
        var times: [Double] = []
        for _ in 0..<settings.steps {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = model.trainStep(on: data)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let noise = Tensor(
            shape: [settings.batch, architecture.latent],
            storage: (0..<(settings.batch * architecture.latent)).map { _ in Float(random.nextNormal()) })
        let batchLabels = Array(labels.prefix(settings.batch))
        _ = model.generate(noise: noise, labels: batchLabels)
        // The median of 20 timed batches: one batch takes ~15 ms, where a neighbour's burst on
        // a shared machine would swing a total.
        var rounds: [Double] = []
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = model.generate(noise: noise, labels: batchLabels)
            rounds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = rounds.sorted()[rounds.count / 2]
        return Result(stepMilliseconds: times, generatorImagesPerSecond: Double(settings.batch) / median)
    }
}
