import Datasets
import Foundation
import GAN
import ImageIO
import NeuralNet
import StudioCore
import TestSupport
import Testing

/// A tiny ImageFolder: `bars` (horizontal stripes) and `columns` (vertical), 8×8 gray, with a
/// little per-image variation.
func tinyDataset(in folder: TemporaryDirectory, perClass: Int = 6, size: Int = 8, layout: PixelLayout = .gray) -> String {
    for (c, name) in ["bars", "columns"].enumerated() {
        for i in 0..<perClass {
            var pixels = [UInt8](repeating: 0, count: size * size * layout.channels)
            for y in 0..<size {
                for x in 0..<size {
                    let on = c == 0 ? (y + i) % 3 == 0 : (x + i) % 3 == 0
                    for ch in 0..<layout.channels { pixels[(y * size + x) * layout.channels + ch] = on ? 230 : UInt8(10 * i) }
                }
            }
            try! ImageFile.write(
                Image(width: size, height: size, layout: layout, pixels: .eight(pixels)), to: folder.file("data/\(name)/\(i).png"))
        }
    }
    return "\(folder.path)/data"
}

func tinyInfo(_ data: TrainingSet, steps: Int = 4) -> GANRunInfo {
    var settings = GANSettings()
    settings.batch = 4
    settings.steps = steps
    settings.seed = 5
    return GANRunInfo(
        architecture: GANArchitecture(
            resolution: 16, channels: data.channels, classes: data.classes.count, latent: 8, embedding: 4, ngf: 8, ndf: 8),
        settings: settings, classes: data.classes, datasetRoot: data.root, imageCount: data.count, nativeWidth: data.nativeWidth,
        nativeHeight: data.nativeHeight)
}

@Suite struct TrainingTests {
    @Test func tinyRunTrainsAndWritesCheckpointAndGrid() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        #expect(data.classes == ["bars", "columns"])
        #expect(data.images.shape == [12, 1, 16, 16])
        let model = GANModel(info: tinyInfo(data))
        let before = model.generator.parameters[1].parameter.value
        for _ in 0..<4 {
            let losses = model.trainStep(on: data)
            #expect(losses.discriminator.isFinite && losses.generator.isFinite)
        }
        #expect(model.generator.parameters[1].parameter.value != before, "the generator learned something")
        let run = "\(folder.path)/run"
        try model.info.write(run: run)
        try model.save(run: run)
        let grid = try ImageFile.read("\(run)/samples/step-000004.png")
        // Two rows of eight 32-px cells with 2-px gaps.
        #expect(grid.width == 8 * 34 + 2 && grid.height == 2 * 34 + 2)
        let reloaded = try GANModel.load(run: run)
        #expect(reloaded.step == 4)
        #expect(reloaded.info == model.info)
        #expect(reloaded.checkpoint() == model.checkpoint(), "checkpoint round trip is exact")
    }

    @Test func resumeEqualsUninterruptedTraining() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        let straight = GANModel(info: tinyInfo(data))
        for _ in 0..<6 { _ = straight.trainStep(on: data) }

        let first = GANModel(info: tinyInfo(data))
        for _ in 0..<3 { _ = first.trainStep(on: data) }
        let saved = first.checkpoint()
        let resumed = GANModel(info: tinyInfo(data))
        try resumed.restore(saved)
        for _ in 0..<3 { _ = resumed.trainStep(on: data) }
        #expect(resumed.checkpoint() == straight.checkpoint(), "weights, moments, statistics, step and random state all equal")
        // The moving average is in the checkpoint (under generator_ema.*) and is what samples come from.
        let average = try #require(straight.averageGenerator)
        #expect(average.parameters[1].parameter.value != straight.generator.parameters[1].parameter.value)
        let names = try SafeTensors.decode(straight.checkpoint()).entries.map(\.name)
        #expect(names.contains("generator_ema.net.1.weight") && names.contains("generator.net.1.weight"))
        let noise = Tensor(shape: [1, 8], storage: Array(repeating: 0.5, count: 8))
        #expect(straight.generate(noise: noise, labels: [0]) == average.forward(noise: noise, labels: [0], training: false))
    }

    /// `gan train --seconds`: the budget ends the session with a checkpoint, the run is finished
    /// at the step it reached, and a resume with another budget goes on from there.
    @Test func aTimeBudgetEndsTheRunWhereItIs() throws {
        let folder = TemporaryDirectory()
        let dataPath = tinyDataset(in: folder)
        let run = "\(folder.path)/run"
        var settings = GANSettings()
        settings.batch = 4
        settings.steps = GANTrainer.unboundedSteps
        var lines: [String] = []
        let outcome = try GANTrainer(
            run: run, start: .new(data: dataPath, resolution: 16, settings: settings, ngf: 8, ndf: 8), seconds: 0.5
        )
        .train(log: { lines.append($0) })
        guard case .finished(let step) = outcome else {
            Issue.record("not finished: \(outcome)")
            return
        }
        #expect(step > 0 && step < GANTrainer.unboundedSteps)
        #expect(try GANRunInfo.read(run: run).settings.steps == step, "the run's target is where the budget ended")
        #expect(try GANModel.load(run: run).step == step, "the checkpoint is at that step")
        #expect(lines.contains { $0.hasSuffix("-second budget ran out at step \(step)") }, "\(lines)")
        let again = try GANTrainer(run: run, start: .resume(steps: nil, data: nil), seconds: 0.3).train()
        guard case .finished(let later) = again else {
            Issue.record("not finished: \(again)")
            return
        }
        let target = try GANRunInfo.read(run: run).settings.steps
        #expect(later > step && target == later)
    }

    /// ADA's probability is part of the state: run.json records the adaptive setting, the
    /// checkpoint the probability, and a resumed run equals one never stopped.
    @Test func adaptiveAugmentationResumesBitForBit() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        var info = tinyInfo(data)
        info.settings.augment = try DiffAugment.parse("ada")
        // A low target, so that six steps of a toy run move the probability.
        info.settings.augment.target = 0.01
        let straight = GANModel(info: info)
        #expect(straight.augmentProbability == 0)
        for _ in 0..<6 { _ = straight.trainStep(on: data) }
        #expect(straight.augmentProbability > 0, "the probability moved")
        let first = GANModel(info: info)
        for _ in 0..<3 { _ = first.trainStep(on: data) }
        let resumed = GANModel(info: info)
        try resumed.restore(first.checkpoint())
        #expect(resumed.augmentProbability == first.augmentProbability)
        for _ in 0..<3 { _ = resumed.trainStep(on: data) }
        #expect(resumed.checkpoint() == straight.checkpoint())
        let run = "\(folder.path)/run"
        try info.write(run: run)
        #expect(try GANRunInfo.read(run: run) == info, "run.json keeps augment_adaptive and its target")
        // A checkpoint of a fixed run does not carry the probability: refused for an adaptive one.
        let error = #expect(throws: GANError.self) { try GANModel(info: info).restore(GANModel(info: tinyInfo(data)).checkpoint()) }
        #expect(error?.description.contains("adaptive augmentation") == true)
    }

    /// Adam's first step moves every weight with a gradient by its learning rate: the
    /// discriminator's by its own rate when the run has one (two time-scale rule), and run.json
    /// keeps it; a run.json without it trains both at one rate.
    @Test func theDiscriminatorLearnsAtItsOwnRate() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        func largestMove(_ before: [Tensor], _ after: [(name: String, parameter: Parameter)]) -> Float {
            zip(before, after).map { old, new in zip(old.storage, new.parameter.value.storage).map { abs($1 - $0) }.max() ?? 0 }.max() ?? 0
        }
        for rate: Float? in [nil, 1e-3] {
            var info = tinyInfo(data)
            info.settings.learningRate = 1e-4
            info.settings.discriminatorLearningRate = rate
            info.settings.beta1 = 0
            info.settings.beta2 = 0.9
            let model = GANModel(info: info)
            let (generator, discriminator) = (
                model.generator.parameters.map(\.parameter.value), model.discriminator.parameters.map(\.parameter.value)
            )
            _ = model.trainStep(on: data)
            let expected = rate ?? 1e-4
            #expect(
                abs(largestMove(discriminator, model.discriminator.parameters) - expected) < expected * 0.01, "\(String(describing: rate))")
            #expect(abs(largestMove(generator, model.generator.parameters) - 1e-4) < 1e-6)
            let run = "\(folder.path)/run-\(rate ?? 0)"
            try info.write(run: run)
            #expect(try GANRunInfo.read(run: run) == info, "run.json keeps the rates and betas")
            let text = try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8)
            #expect(text.contains("learning_rate_discriminator") == (rate != nil))
        }
        var info = tinyInfo(data)
        info.settings.beta2 = 1
        #expect(throws: GANError.self) { try info.settings.validate() }
        info.settings.beta2 = 0.9
        info.settings.discriminatorLearningRate = -1
        #expect(throws: GANError.self) { try info.settings.validate() }
    }

    /// With the mode-seeking term a batch is pairs (the second half asks for the first half's
    /// classes), run.json keeps its weight, and an odd batch is refused; without it nothing changes.
    @Test func theModeSeekingTermPairsTheBatch() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        var random = RandomStream(seed: 3)
        let paired = GANModel.labels(batch: 8, classes: 5, paired: true, random: &random)
        #expect(Array(paired[0..<4]) == Array(paired[4..<8]))
        // One step on the same paired batch with and without the term: the discriminators take
        // the same step, the generators not.
        var info = tinyInfo(data)
        let plain = GANModel(info: info)
        info.settings.modeSeeking = 1
        let seeking = GANModel(info: info)
        let labels = GANModel.labels(batch: 4, classes: data.classes.count, paired: true, random: &random)
        let real = data.images.gathering(labels.map { data.byClass[$0][0] })
        let noise = Tensor(shape: [4, 8], storage: (0..<32).map { _ in Float(random.nextNormal()) })
        _ = plain.trainStep(real: real, labels: labels, noise: noise)
        _ = seeking.trainStep(real: real, labels: labels, noise: noise)
        #expect(plain.discriminator.parameters.map(\.parameter.value) == seeking.discriminator.parameters.map(\.parameter.value))
        #expect(plain.generator.parameters.map(\.parameter.value) != seeking.generator.parameters.map(\.parameter.value))
        let run = "\(folder.path)/seeking"
        try info.write(run: run)
        #expect(try GANRunInfo.read(run: run) == info)
        #expect(try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8).contains("\"mode_seeking\": 1"))
        try tinyInfo(data).write(run: "\(folder.path)/plain")
        #expect(!(try String(contentsOfFile: GANRunInfo.path("\(folder.path)/plain"), encoding: .utf8).contains("mode_seeking")))
        info.settings.batch = 7
        #expect(throws: GANError.self) { try info.settings.validate() }
        info.settings.batch = 8
        info.settings.modeSeeking = -1
        #expect(throws: GANError.self) { try info.settings.validate() }
    }

    @Test func damagedAndForeignCheckpointsAreRefused() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        let model = GANModel(info: tinyInfo(data))
        let bytes = model.checkpoint()
        let fresh = GANModel(info: tinyInfo(data))
        #expect(throws: GANError.self) { try fresh.restore(Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: GANError.self) { try fresh.restore([]) }
        var other = tinyInfo(data)
        other.architecture.ngf = 16
        let error = #expect(throws: GANError.self) { try GANModel(info: other).restore(bytes) }
        #expect(error?.description.contains("another architecture") == true)
        // Nothing was changed by the refused restore.
        #expect(fresh.checkpoint() == GANModel(info: tinyInfo(data)).checkpoint())
    }

    @Test func datasetsAGANCannotLearnFromAreRefused() throws {
        let folder = TemporaryDirectory()
        // One image.
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: folder.file("one/a/0.png"))
        var error = #expect(throws: GANError.self) { try TrainingSet(dataset: DatasetIO.read("\(folder.path)/one"), resolution: 16) }
        #expect(error?.description.contains("at least 2") == true)
        // Mixed sizes.
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: folder.file("sizes/a/0.png"))
        try ImageFile.write(TestImages.pattern(width: 9, height: 8, layout: .gray), to: folder.file("sizes/a/1.png"))
        error = #expect(throws: GANError.self) { try TrainingSet(dataset: DatasetIO.read("\(folder.path)/sizes"), resolution: 16) }
        #expect(error?.description.contains("mixed sizes") == true)
        // Mixed channel counts.
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .gray), to: folder.file("channels/a/0.png"))
        try ImageFile.write(TestImages.pattern(width: 8, height: 8, layout: .rgb), to: folder.file("channels/a/1.png"))
        error = #expect(throws: GANError.self) { try TrainingSet(dataset: DatasetIO.read("\(folder.path)/channels"), resolution: 16) }
        #expect(error?.description.contains("mixed channel counts") == true)
        // A class with no images.
        let root = tinyDataset(in: folder)
        try FileManager.default.createDirectory(atPath: "\(root)/empty", withIntermediateDirectories: true)
        error = #expect(throws: GANError.self) { try TrainingSet(dataset: DatasetIO.read(root), resolution: 16) }
        #expect(error?.description.contains("class empty has no images") == true)
        // An unsupported resolution.
        #expect(throws: GANError.self) { try TrainingSet(dataset: DatasetIO.read(root), resolution: 24) }
    }

    @Test func colorImagesTrainWithThreeChannels() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder, layout: .rgba)), resolution: 16)
        #expect(data.channels == 3)
        let model = GANModel(info: tinyInfo(data))
        _ = model.trainStep(on: data)
        #expect(model.sampleGrid().layout == .rgb)
    }
}

@Suite struct LyingRunTests {
    @Test("a run.json with an impossible sample size or class count is refused before anything is allocated")
    func lyingRunFile() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        let run = "\(folder.path)/run"
        try tinyInfo(data).write(run: run)
        let good = try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8)
        #expect(try GANRunInfo.read(run: run).nativeWidth == data.nativeWidth)
        for (from, to, message) in [
            ("\"native_width\": \(data.nativeWidth)", "\"native_width\": -8", "impossible"),
            ("\"native_width\": \(data.nativeWidth)", "\"native_width\": 100000", "impossible"),
            ("\"native_height\": \(data.nativeHeight)", "\"native_height\": 1.5", "integer"),
        ] {
            #expect(good.contains(from), "\(from)")
            try good.replacingOccurrences(of: from, with: to).write(toFile: GANRunInfo.path(run), atomically: true, encoding: .utf8)
            let error = #expect(throws: GANError.self) { try GANRunInfo.read(run: run) }
            #expect(error?.description.contains(message) == true, "\(to): \(String(describing: error))")
        }
    }
}

@Suite struct FeatureStatisticsTests {
    @Test func frechetDistanceOfKnownGaussians() {
        // Same covariance, means 3 apart along one axis: FD = 9. Identical sets: FD = 0.
        var random = RandomStream(seed: 1)
        let n = 4000
        let a = Tensor(shape: [n, 2], storage: (0..<(2 * n)).map { _ in Float(random.nextNormal()) })
        let b = Tensor(shape: [n, 2], storage: a.storage.enumerated().map { $0.offset % 2 == 0 ? $0.element + 3 : $0.element })
        #expect(abs(FeatureStatistics.frechetDistance(a, b) - 9) < 1e-3)
        #expect(FeatureStatistics.frechetDistance(a, a) < 1e-6)
        // Scaled by 2: FD = tr(Σ) + tr(4Σ) − 2 tr(2Σ) = tr(Σ) ≈ 2.
        let c = a.scaled(by: 2)
        #expect(abs(FeatureStatistics.frechetDistance(a, c) - 2) < 0.15)
    }

    @Test func precisionAndRecallSeparateModeDropping() {
        // Real: two clusters. Generated: only one of them → precision high, recall about half.
        var random = RandomStream(seed: 2)
        var real: [Float] = []
        for i in 0..<200 { real += [Float(random.nextNormal()) * 0.1 + (i % 2 == 0 ? 0 : 10), Float(random.nextNormal()) * 0.1] }
        var fake: [Float] = []
        for _ in 0..<100 { fake += [Float(random.nextNormal()) * 0.1, Float(random.nextNormal()) * 0.1] }
        let (precision, recall) = FeatureStatistics.precisionRecall(
            real: Tensor(shape: [200, 2], storage: real), generated: Tensor(shape: [100, 2], storage: fake), k: 3)
        #expect(precision > 0.9)
        #expect(recall > 0.35 && recall < 0.6)
    }
}

/// `--fit`: images that are not square become the networks' square by stretching, letterboxing or
/// cropping, and samples come back at the images' aspect (pad) or their centre square (crop).
@Suite struct ImageFitTests {
    /// Two classes of 16×8 gray images: the left half 200, the right half 100.
    func wideDataset(in folder: TemporaryDirectory) throws -> String {
        for name in ["a", "b"] {
            for i in 0..<3 {
                let pixels = (0..<(16 * 8)).map { p in UInt8(p % 16 < 8 ? 200 : 100) }
                try ImageFile.write(
                    Image(width: 16, height: 8, layout: .gray, pixels: .eight(pixels)), to: folder.file("wide/\(name)/\(i).png"))
            }
        }
        return "\(folder.path)/wide"
    }

    func value(_ byte: Float) -> Float { byte / 255 * 2 - 1 }

    @Test func eachFitMakesTheSquareItSays() throws {
        let folder = TemporaryDirectory()
        let dataset = try DatasetIO.read(wideDataset(in: folder))
        func square(_ fit: ImageFit) throws -> [Float] {
            let data = try TrainingSet(dataset: dataset, resolution: 16, fit: fit)
            #expect(data.images.shape == [6, 1, 16, 16])
            #expect((data.nativeWidth, data.nativeHeight) == (16, 8))
            return Array(data.images.storage[0..<256])
        }
        let stretched = try square(.stretch)
        let padded = try square(.pad)
        let cropped = try square(.crop)
        for y in 0..<16 {
            for x in 0..<16 {
                let half = x < 8 ? value(200) : value(100)
                #expect(abs(stretched[y * 16 + x] - half) < 1e-5, "stretch keeps every row the image's row")
                // The whole 16×8 image on black bars of 4 rows above and below.
                #expect(abs(padded[y * 16 + x] - ((4..<12).contains(y) ? half : -1)) < 1e-5, "pad (\(x), \(y))")
            }
        }
        // The centre 8×8 (columns 4…11: four of 200, four of 100) doubled.
        for y in 0..<16 { for x in 0..<16 { #expect(abs(cropped[y * 16 + x] - (x < 8 ? value(200) : value(100))) < 1e-5) } }
    }

    @Test func anAutomaticResolutionHoldsTheImagesWithoutShrinkingThem() {
        #expect(GANArchitecture.automaticResolution(width: 8, height: 8, fit: .stretch) == 16)
        #expect(GANArchitecture.automaticResolution(width: 28, height: 28, fit: .stretch) == 32)
        #expect(GANArchitecture.automaticResolution(width: 64, height: 40, fit: .pad) == 64)
        #expect(GANArchitecture.automaticResolution(width: 100, height: 40, fit: .crop) == 64)
        #expect(GANArchitecture.automaticResolution(width: 512, height: 512, fit: .stretch) == 128)
    }

    @Test func theContentRectangleKeepsTheAspect() {
        #expect(ImageFit.pad.content(width: 28, height: 20, side: 32) == (0, 4, 32, 23))
        #expect(ImageFit.pad.content(width: 8, height: 16, side: 16) == (4, 0, 8, 16))
        #expect(ImageFit.pad.content(width: 9, height: 9, side: 16) == (0, 0, 16, 16))
        #expect(ImageFit.crop.source(width: 20, height: 28) == (0, 4, 20, 20))
        #expect(ImageFit.stretch.content(width: 28, height: 20, side: 32) == (0, 0, 32, 32))
        #expect(ImageFit.crop.outputSize(width: 20, height: 28) == (20, 20))
        #expect(ImageFit.pad.outputSize(width: 20, height: 28) == (20, 28))
    }

    @Test func samplesComeBackAtTheImagesAspectAndTheFitIsRecorded() throws {
        let folder = TemporaryDirectory()
        let dataset = try DatasetIO.read(wideDataset(in: folder))
        for (fit, size) in [(ImageFit.stretch, (16, 8)), (.pad, (16, 8)), (.crop, (8, 8))] {
            let data = try TrainingSet(dataset: dataset, resolution: 16, fit: fit)
            var info = tinyInfo(data)
            info.settings.fit = fit
            let run = "\(folder.path)/run-\(fit.rawValue)"
            try info.write(run: run)
            #expect(try GANRunInfo.read(run: run).settings.fit == fit, "run.json keeps fit")
            let model = GANModel(info: info)
            _ = model.trainStep(on: data)
            var stream = RandomStream(seed: 3)
            let image = model.sample(classIndex: 0, stream: &stream)
            #expect((image.width, image.height) == size, "\(fit)")
        }
        // A run.json from before fit stretched; an unknown fit is refused.
        let run = "\(folder.path)/run-pad"
        let text = try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8)
        #expect(text.contains("\"fit\": \"pad\""))
        try text.replacingOccurrences(of: #",\s*"fit": "pad""#, with: "", options: .regularExpression).write(
            toFile: GANRunInfo.path(run), atomically: true, encoding: .utf8)
        #expect(!(try String(contentsOfFile: GANRunInfo.path(run), encoding: .utf8)).contains("fit"))
        #expect(try GANRunInfo.read(run: run).settings.fit == .stretch)
        try text.replacingOccurrences(of: "\"fit\": \"pad\"", with: "\"fit\": \"squash\"").write(
            toFile: GANRunInfo.path(run), atomically: true, encoding: .utf8)
        let error = #expect(throws: GANError.self) { try GANRunInfo.read(run: run) }
        #expect(error?.description.contains("fit must be stretch, pad or crop") == true)
    }
}
