import Datasets
import Foundation
import ImageIO
import StudioCore
import TestSupport
import Testing

@testable import Evaluation

@Suite("Domain gap")
struct DomainGapTests {
    @Test func rocAUCIsTheRankSumStatisticWithTiesAtMidRank() {
        #expect(DomainGap.rocAUC(scores: [0.1, 0.2, 0.8, 0.9], labels: [0, 0, 1, 1]) == 1)
        #expect(DomainGap.rocAUC(scores: [0.9, 0.8, 0.2, 0.1], labels: [0, 0, 1, 1]) == 0)
        // One positive above both negatives, one tied with a negative: (2 + 1.5) / 4.
        #expect(DomainGap.rocAUC(scores: [0.1, 0.5, 0.5, 0.9], labels: [0, 0, 1, 1]) == 0.875)
        #expect(DomainGap.rocAUC(scores: [1, 1, 1, 1], labels: [0, 1, 0, 1]) == 0.5)
    }

    @Test func heldOutAUCIsHighForSeparableFeaturesAndNearAHalfForOneDistribution() {
        var random = RandomStream(seed: 4)
        func draw(_ n: Int, shift: Double) -> [[Double]] {
            (0..<n).map { _ in (0..<12).map { j in random.nextNormal() + (j == 3 ? shift : 0) } }
        }
        let separable = DomainGap.auc(real: draw(60, shift: 0), synthetic: draw(60, shift: 3))
        #expect(separable > 0.95, "\(separable)")
        // Held out, 12 noise features do not let the classifier learn anything: about a half
        // (a figure measured on the training objects would be well above).
        var same: [Double] = []
        for _ in 0..<5 { same.append(DomainGap.auc(real: draw(60, shift: 0), synthetic: draw(60, shift: 0))) }
        let mean = same.reduce(0, +) / 5
        #expect(abs(mean - 0.5) < 0.1, "\(same)")
    }

    /// Shapes on noise from one generator, "synthetic" either from the same generator with another
    /// seed (no gap) or blurred (a gap a detector would see).
    @Test func cellsOfACoverageViewTellBlurredCopiesApartButNotTheSameGenerator() throws {
        let dir = TemporaryDirectory("gap")
        try ShapesDataset.write(in: dir, name: "real", count: 40, seed: 1)
        try ShapesDataset.write(in: dir, name: "same", count: 40, seed: 2)
        try ShapesDataset.write(in: dir, name: "blurred", count: 40, seed: 3)
        for i in 0..<40 {
            let path = dir.file("blurred/images/\(i).png")
            let image = try ImageFile.read(path)
            let blurred = TestImages.boxBlurred(image.rgb8(), width: image.width, height: image.height, radius: 2, passes: 2)
            try ImageFile.write(Image(width: image.width, height: image.height, layout: .rgb, pixels: .eight(blurred)), to: path)
        }
        func synthetic(_ name: String) throws -> Dataset {
            var dataset = try DatasetIO.read(dir.file(name))
            dataset.origin = .synthetic
            dataset.samples = dataset.samples.map {
                var s = $0; s.origin = .synthetic; return s
            }
            return dataset
        }
        let real = try DatasetIO.read(dir.file("real"))
        let spec = CoverageSpec(rows: .category, columns: .attribute("light"))
        let same = DomainGap.measure(spec: spec, datasets: [("real", real), ("same", try synthetic("same"))])
        let blurred = DomainGap.measure(spec: spec, datasets: [("real", real), ("blurred", try synthetic("blurred"))])
        func row(_ cells: [DomainGapCell], _ name: String) throws -> DomainGapCell {
            try #require(cells.first { $0.row == name && $0.column == DomainGapCell.wholeRow })
        }
        for name in ["red", "blue"] {
            let alike = try #require(try row(same, name).auc), apart = try #require(try row(blurred, name).auc)
            #expect(alike < 0.75, "\(name): the same generator \(alike)")
            #expect(apart > 0.9, "\(name): blurred \(apart)")
            #expect(apart > alike + 0.2)
        }
        // Cells of the matrix too (class × light), with their object counts.
        let cell = try #require(blurred.first { $0.row == "red" && $0.column == "bright" })
        #expect(cell.real > 0 && cell.synthetic > 0 && cell.rowAxis == "category" && cell.columnAxis == "light")
        // The same data gives the same figures.
        #expect(DomainGap.measure(spec: spec, datasets: [("real", real), ("blurred", try synthetic("blurred"))]) == blurred)
    }
}
