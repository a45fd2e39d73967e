import Datasets
import Foundation
import NeuralNet
import StudioCore
import TestSupport
import Testing

@testable import GAN

@Suite struct EvaluationMeasuresTests {
    /// `(n, d)` Gaussian rows with the given mean, from a seeded stream.
    static func gaussian(_ n: Int, _ d: Int, mean: Float, seed: UInt64) -> Tensor {
        var random = RandomStream(seed: seed)
        return Tensor(shape: [n, d], storage: (0..<(n * d)).map { _ in mean + Float(random.nextNormal()) })
    }

    @Test func meansAndSpreadsOverSeeds() {
        let m = Measured([0.8, 0.9, 1.0])
        #expect(abs(m.mean - 0.9) < 1e-12 && abs(m.spread - 0.1) < 1e-12)
        #expect(Measured([0.5]).spread == 0 && Measured([.nan, 0.4]).mean == 0.4 && Measured([]).mean.isNaN)
        #expect(Measured.transposed([[1, 2], [3, 4]]) == [Measured([1, 3]), Measured([2, 4])])
    }

    /// Synthetic features drawn like the held-out ones land near the real-vs-real floor;
    /// shifted ones far above it; copies of one row have no diversity and little recall.
    @Test func comparisonsAreAgainstTheRealFloorAtEqualSizes() {
        let heldOut = Self.gaussian(400, 8, mean: 0, seed: 1)
        let alike = Evaluation.compare(synthetic: Self.gaussian(600, 8, mean: 0, seed: 2), heldOut: heldOut)
        // Two small samples of one distribution differ by sampling noise alone: within a few times the floor.
        #expect(alike.frechet / alike.frechetReference < 3, "\(alike)")
        #expect(abs(alike.diversity - 1) < 0.1 && abs(alike.precision - alike.precisionReference) < 0.15)
        let shifted = Evaluation.compare(synthetic: Self.gaussian(600, 8, mean: 2, seed: 3), heldOut: heldOut)
        #expect(shifted.frechet / shifted.frechetReference > 30 && shifted.precision < 0.3, "\(shifted)")
        let one = Tensor(shape: [50, 8], storage: Array(Self.gaussian(1, 8, mean: 0, seed: 4).storage.prefix(8)).repeated(50))
        let copies = Evaluation.compare(synthetic: one, heldOut: heldOut)
        #expect(copies.diversity == 0 && copies.recall < 0.2 && copies.recallReference > 0.5, "\(copies)")
        #expect(Evaluation.compare(synthetic: one, heldOut: heldOut.items(0..<3)).frechet.isNaN, "too few held-out images: no figure")
    }

    @Test func everyFigureIsOverTheSeedsAndAgainstTheHoldout() throws {
        let folder = TemporaryDirectory()
        let data = try DatasetIO.read(tinyDataset(in: folder, perClass: 8))
        var stages: [String] = []
        var last = (0, 0)
        let report = try Evaluation.run(
            real: data, synthetic: data, holdout: data, steps: 30, seeds: 2, progress: { stages.append($0) },
            stepped: { last = ($0, $1) })
        #expect(report.seeds == 2 && report.trtrAccuracy.values.count == 2 && report.recallCombined.count == 2)
        #expect(stages.contains("training on real + synthetic images (seed 2 of 2)"))
        #expect(last.1 == 3 * 2 * 30 && last.0 > 0 && last.0 <= last.1)
        #expect(report.perClass.map(\.className) == ["bars", "columns"] && report.perClass[0].heldOut == 8)
        // The synthetic images are the held-out ones: as close as real is to real.
        #expect(report.overall.diversity.mean == 1)
        let json = report.json()
        #expect(json["seeds"]?.integer == 2 && json["per_class"]?["bars"]?["frechet_relative"] != nil)
        #expect(json["trtr_accuracy_spread"]?.number != nil)
        #expect(report.text.contains("means over 2 seeds ± their spread"))
        #expect(throws: GANError.self) { try Evaluation.run(real: data, synthetic: data, holdout: data, steps: 1, seeds: 0) }
        #expect(report.precisionCombined.count == 2 && json["per_class_precision"]?["combined"]?["bars"]?.number != nil)
        #expect(json["per_class_precision_spread"]?["real_only"]?["columns"] != nil)
        #expect(report.text.contains("held-out precision per class"))
    }

    @Test("A classifier that calls everything odd the rare class: its recall rises, its precision shows the cost")
    func precisionBesideRecall() {
        // Class 2 is rare (2 held-out images); the classifier calls both 2, and 4 images of the
        // other classes 2 as well.
        let truth = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
        let predicted = [0, 0, 2, 2, 1, 1, 2, 2, 2, 2]
        let score = Evaluation.score(predicted: predicted, truth: truth, classes: 4)
        #expect(score.accuracy == 0.6)
        #expect(score.recall[0] == 0.5 && score.recall[1] == 0.5 && score.recall[2] == 1 && score.recall[3].isNaN)
        #expect(score.precision[0] == 1 && score.precision[1] == 1 && abs(score.precision[2] - 2.0 / 6) < 1e-12)
        #expect(score.precision[3].isNaN, "a class nothing was called has no precision")
    }
}

extension Array {
    func repeated(_ times: Int) -> [Element] { (0..<times).flatMap { _ in self } }
}
