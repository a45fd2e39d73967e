import Datasets
import Foundation
import ImageIO
import NeuralNet
import StudioCore
import TestSupport
import Testing

@testable import GAN

@Suite struct JudgeTests {
    @Test func theJudgeSeesRealClassesAsThemselvesAndCopiesAsCollapsed() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder, perClass: 10)), resolution: 16)
        let judge = SampleJudge.train(on: data, seed: 3)
        let bars = data.images.gathering(data.byClass[0]), columns = data.images.gathering(data.byClass[1])
        let asBars = judge.quality(of: bars, asked: 0)
        #expect(asBars.fidelity == 1 && asBars.reference == 1, "the judge knows its own training images")
        #expect(judge.realRecall == [1, 1])
        // Fidelity is held to the judge's own recall: half of a class it knows 60 % of is fine.
        #expect(!ClassQuality(diversity: 1, fidelity: 0.35, reference: 0.6).offClass)
        #expect(ClassQuality(diversity: 1, fidelity: 0.25, reference: 0.6).offClass)
        #expect(abs(asBars.diversity - 1) < 1e-6, "the real images are as diverse as themselves")
        #expect(!asBars.collapsed && !asBars.offClass)
        let wrong = judge.quality(of: columns, asked: 0)
        #expect(wrong.fidelity == 0 && wrong.offClass && wrong.mostConfusedWith == 1)
        let copies = judge.quality(of: data.images.gathering(Array(repeating: data.byClass[1][0], count: 8)), asked: 1)
        #expect(copies.diversity == 0 && copies.collapsed && !copies.offClass)
        let warnings = ClassQuality.warnings([copies, wrong], classes: ["bars", "columns"])
        #expect(warnings.count == 2)
        #expect(warnings[0].hasPrefix("class bars collapsed"))
        #expect(warnings[1].contains("class columns is drawn as another class: 0%") && warnings[1].contains("most look like columns"))
        #expect(
            ClassQuality.warningLine([copies, wrong], classes: ["bars", "columns"])
                == "collapsed (diversity below 0.5× the real images'): bars (0.00×); drawn as another class: columns (0%, real 100%, as columns)"
        )
        #expect(ClassQuality.warningLine([asBars], classes: ["bars"]) == nil)
    }

    @Test func theJudgeIsKeptInTheRunAndReadBackExactly() throws {
        let folder = TemporaryDirectory()
        let data = try TrainingSet(dataset: DatasetIO.read(tinyDataset(in: folder)), resolution: 16)
        let run = "\(folder.path)/run"
        try FileIO.createDirectory(run)
        var lines: [String] = []
        let first = try SampleJudge.forRun(run, data: data, seed: 2, log: { lines.append($0) })
        #expect(lines.count == 1 && lines[0].hasPrefix("training the judge"))
        let again = try SampleJudge.forRun(run, data: data, seed: 2, log: { lines.append($0) })
        #expect(lines.count == 1, "read, not trained again")
        #expect(again.encoded() == first.encoded())
        let bytes = try FileIO.read(SampleJudge.path(run))
        try FileIO.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: SampleJudge.path(run))
        let error = #expect(throws: GANError.self) { try SampleJudge.forRun(run, data: data, seed: 2, log: { _ in }) }
        #expect(error?.description.contains("judge.safetensors") == true)
    }

    /// A run whose generator ignores its noise (its weights from the noise zeroed, as a collapsed
    /// GAN's effectively are) trains on and is reported at its next checkpoint.
    @Test func aRunThatCollapsesIsReportedWhileItTrains() throws {
        let folder = TemporaryDirectory()
        let dataPath = tinyDataset(in: folder, perClass: 10)
        let run = "\(folder.path)/run"
        var settings = GANSettings()
        settings.batch = 8
        settings.steps = 60
        settings.checkpointEvery = 30
        var lines: [String] = []
        _ = try GANTrainer(run: run, start: .new(data: dataPath, resolution: 16, settings: settings, ngf: 8, ndf: 8))
            .train(log: { lines.append($0) })
        let before = try SampleJudge.check(run: run).quality
        #expect(before.allSatisfy { $0.diversity > 0.01 && $0.diversity.isFinite })
        let log = try String(contentsOfFile: "\(run)/log.jsonl", encoding: .utf8)
        let entry = try JSONReader.parse(Array(log.split(separator: "\n").last!.utf8))
        #expect(entry["diversity"]?.array?.count == 2 && entry["fidelity"]?.array?.count == 2)

        let model = try GANModel.load(run: run)
        // In the generator and in its moving average, which samples come from.
        for generator in [model.generator, try #require(model.averageGenerator)] {
            let first = try #require(generator.parameters.first { $0.name == "net.1.weight" }?.parameter)
            let latent = model.info.architecture.latent
            let perInput = first.value.count / first.value.shape[0]
            first.value = Tensor(
                shape: first.value.shape, storage: first.value.storage.enumerated().map { $0.offset / perInput < latent ? 0 : $0.element })
        }
        try model.save(run: run)
        lines = []
        _ = try GANTrainer(run: run, start: .resume(steps: 61, data: nil)).train(log: { lines.append($0) })
        let warnings = lines.filter { $0.contains("warning: collapsed") }
        #expect(warnings.count == 1, "one line for the checkpoint: \(lines)")
        #expect(warnings.first?.hasPrefix("step 61: warning: collapsed (diversity below 0.5× the real images'): bars (0.") == true)
        #expect(warnings.first?.contains(", columns (0.") == true)
        #expect(lines.last?.hasPrefix("samples at step 61: collapsed: bars, columns") == true)
        let after = try SampleJudge.check(run: run).quality
        #expect(zip(before, after).allSatisfy { $1.collapsed && $1.diversity < $0.diversity / 2 }, "\(before) then \(after)")
    }
}
