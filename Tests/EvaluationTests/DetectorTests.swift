import Datasets
import Foundation
import NeuralNet
import StudioCore
import TestSupport
import Testing

@testable import Evaluation

@Suite struct CenterTargetsTests {
    /// An output that says exactly what the targets say decodes back to the boxes.
    @Test func decodingPerfectOutputGivesTheBoxesBack() {
        let boxes = [
            LabelledBox(category: 0, x: 10, y: 12, width: 20, height: 30), LabelledBox(category: 1, x: 60, y: 8, width: 9, height: 17),
        ]
        let (h, w, classes) = (16, 24, 2)
        let plane = h * w
        var values = [Float](repeating: -12, count: (classes + 4) * plane)
        for box in boxes {
            let cx = (box.x + box.width / 2) / 4
            let cy = (box.y + box.height / 2) / 4
            let cell = Int(cy) * w + Int(cx)
            values[box.category * plane + cell] = 5
            values[(classes + 0) * plane + cell] = log(box.width / 4)
            values[(classes + 1) * plane + cell] = log(box.height / 4)
            values[(classes + 2) * plane + cell] = cx - Float(Int(cx))
            values[(classes + 3) * plane + cell] = cy - Float(Int(cy))
        }
        let found = CenterTargets.decode(Tensor(shape: [1, classes + 4, h, w], storage: values), item: 0)
        #expect(found.count == 2)
        for (box, (decoded, score)) in zip(boxes, found.sorted { $0.box.category < $1.box.category }) {
            #expect(decoded.category == box.category && score > 0.99)
            for (a, b) in [(decoded.x, box.x), (decoded.y, box.y), (decoded.width, box.width), (decoded.height, box.height)] {
                #expect(abs(a - b) < 1e-3)
            }
        }
    }

    /// The focal and L1 losses' gradient against central differences of the loss.
    @Test func lossGradientMatchesFiniteDifferences() {
        var random = RandomStream(seed: 3)
        let shape = [2, 6, 6, 8]
        let output = Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(random.nextNormal()) })
        let boxes: [[LabelledBox]] = [
            [LabelledBox(category: 0, x: 4, y: 3, width: 12, height: 10), LabelledBox(category: 1, x: 20, y: 8, width: 6, height: 12)],
            [
                LabelledBox(category: 1, x: 2, y: 2, width: 20, height: 18),
                LabelledBox(category: 0, x: 24, y: 12, width: 6, height: 6, ignore: true),
            ],
        ]
        let analytic = CenterTargets.loss(output, boxes: boxes)
        for index in stride(from: 0, to: output.count, by: 7) {
            var plus = output
            var minus = output
            plus.storage[index] += 1e-2
            minus.storage[index] -= 1e-2
            let numeric = (CenterTargets.loss(plus, boxes: boxes).value - CenterTargets.loss(minus, boxes: boxes).value) / 2e-2
            #expect(abs(numeric - analytic.gradient.storage[index]) < 2e-3 + 0.02 * abs(numeric), "at \(index)")
        }
    }

    @Test func ignoreRegionsTeachNothing() {
        let output = Tensor(shape: [1, 6, 8, 8], repeating: 0.5)
        let ignored = CenterTargets.loss(output, boxes: [[LabelledBox(category: 0, x: 0, y: 0, width: 16, height: 16, ignore: true)]])
        let plane = 64
        // Cells 0...4 × 0...4 of class 0 (the box spans 4 cells and touches the fifth): no gradient.
        for y in 0..<4 { for x in 0..<4 { #expect(ignored.gradient.storage[y * 8 + x] == 0) } }
        #expect(ignored.gradient.storage[7 * 8 + 7] > 0)
        #expect(ignored.gradient.storage[plane + 0] > 0)  // other classes still learn background
    }
}

@Suite struct AugmentationTests {
    /// A bright rectangle on black: after flips, scaling and shifting, its box still covers it.
    @Test func boxesFollowThePixels() {
        let (w, h) = (64, 48)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 10..<30 { for x in 5..<17 { for c in 0..<3 { pixels[(y * w + x) * 3 + c] = 255 } } }
        let item = DetectionImages.Item(
            pixels: pixels, boxes: [LabelledBox(category: 0, x: 5, y: 10, width: 12, height: 20)], scale: 1, sample: 0)
        for seed in 0..<12 {
            var random = RandomStream(seed: UInt64(seed))
            let (input, boxes) = Augmentation.apply(item, width: w, height: h, augment: true, random: &random)
            let box = try! #require(boxes.first)
            // The brightest pixel's channel-0 value; bright pixels lie inside the box (one pixel of slack).
            let threshold = input[0..<(w * h)].max()! - 0.5
            for y in 0..<h {
                for x in 0..<w where input[y * w + x] > threshold {
                    #expect(Float(x) >= box.x - 1.5 && Float(x) <= box.x + box.width + 0.5, "seed \(seed) x \(x) box \(box)")
                    #expect(Float(y) >= box.y - 1.5 && Float(y) <= box.y + box.height + 0.5, "seed \(seed) y \(y) box \(box)")
                }
            }
        }
    }
}

@Suite struct DetectorTrainingTests {
    static func settings(steps: Int) -> DetectorSettings {
        var s = DetectorSettings()
        (s.inputWidth, s.inputHeight, s.steps, s.batch, s.channels, s.checkpointEvery) = (128, 96, steps, 8, 8, 1000)
        return s
    }

    /// Stopping, saving and resuming gives the same weights as training straight through.
    @Test func resumingIsBitForBitTheSame() throws {
        let folder = TemporaryDirectory()
        try ShapesDataset.write(in: folder, name: "shapes", count: 12, seed: 5)
        let data = try DetectionImages(dataset: DatasetIO.read(folder.file("shapes")), classes: ["red", "blue"], width: 128, height: 96)
        let straight = DetectorTraining(classes: 2, data: data.items, settings: Self.settings(steps: 6))
        for _ in 0..<6 { straight.trainStep() }
        let first = DetectorTraining(classes: 2, data: data.items, settings: Self.settings(steps: 6))
        for _ in 0..<3 { first.trainStep() }
        try first.save(to: folder.file("ckpt.safetensors"))
        let second = DetectorTraining(classes: 2, data: data.items, settings: Self.settings(steps: 6))
        #expect(try second.resume(from: folder.file("ckpt.safetensors")))
        #expect(second.step == 3)
        for _ in 0..<3 { second.trainStep() }
        for ((name, a), (_, b)) in zip(
            straight.detector.parameters + straight.detector.buffers, second.detector.parameters + second.detector.buffers)
        {
            #expect(a.value == b.value, "\(name) differs")
        }
        // Another setting refuses the checkpoint instead of training from the wrong state.
        let other = DetectorTraining(classes: 2, data: data.items, settings: Self.settings(steps: 7))
        #expect(throws: EvaluationError.self) { try other.resume(from: folder.file("ckpt.safetensors")) }
        let fewer = DetectorTraining(classes: 2, data: Array(data.items.dropLast()), settings: Self.settings(steps: 6))
        #expect(throws: EvaluationError.self) { try fewer.resume(from: folder.file("ckpt.safetensors")) }
        folder.write("bad.safetensors", "not a checkpoint")
        #expect(throws: EvaluationError.self) { try other.resume(from: folder.file("bad.safetensors")) }
    }
}

@Suite struct DetectionEvaluationTests {
    /// The whole loop on shapes: a detector trained on one set finds the shapes of another, and
    /// the report has every mix, class and condition.
    @Test func aTrainedDetectorFindsTheShapes() throws {
        let folder = TemporaryDirectory()
        try ShapesDataset.write(in: folder, name: "train", count: 40, seed: 1)
        try ShapesDataset.write(in: folder, name: "more", count: 40, seed: 2)
        try ShapesDataset.write(in: folder, name: "holdout", count: 24, seed: 3)
        let evaluation = DetectionEvaluation(
            real: try DatasetIO.read(folder.file("train")), synthetic: try DatasetIO.read(folder.file("more")),
            holdout: try DatasetIO.read(folder.file("holdout")), settings: DetectorTrainingTests.settings(steps: 160),
            mixes: [.real, .combined], folder: folder.path)
        guard case .finished(let report) = try evaluation.run() else {
            Issue.record("stopped")
            return
        }
        #expect(report.classes == ["red", "blue"])
        #expect(report.mixes.map(\.mix) == [.real, .combined])
        for mix in report.mixes {
            #expect(mix.overall.ap50 > 0.6, "AP50 \(mix.overall.ap50)")
            #expect(mix.overall.ap > 0.2 && mix.overall.ap < mix.overall.ap50)
            #expect(mix.conditions.map { "\($0.attribute)=\($0.value)" } == ["light=bright", "light=dark", "size=big", "size=small"])
            #expect(mix.conditions.prefix(2).map(\.images) == [16, 8])
            // Objects of the other size are left out, not missed: each size has its own objects.
            let (big, small) = (mix.conditions[2].scores, mix.conditions[3].scores)
            #expect(zip(big.groundTruthCounts, small.groundTruthCounts).map { $0 + $1 } == mix.overall.groundTruthCounts)
        }
        let text = report.text
        #expect(text.contains("AP50 by light: real → real+synthetic"))
        #expect(text.contains("bright (16)") && text.contains("dark (8)"))
        guard case .object(let fields) = report.json(), case .array(let mixes)? = fields.first(where: { $0.0 == "mixes" })?.1 else {
            Issue.record("no mixes in the JSON")
            return
        }
        #expect(mixes.count == 2)
        #expect(FileManager.default.fileExists(atPath: folder.file("real.safetensors")))
    }

    @Test func aHoldoutWithoutBoxesOrAMissingMixIsAClearError() throws {
        let folder = TemporaryDirectory()
        try ShapesDataset.write(in: folder, name: "train", count: 4, seed: 1)
        let train = try DatasetIO.read(folder.file("train"))
        var empty = train
        for i in empty.samples.indices { empty.samples[i].annotations = [] }
        let noBoxes = DetectionEvaluation(
            real: train, synthetic: nil, holdout: empty, settings: DetectorTrainingTests.settings(steps: 1), mixes: [.real], folder: nil)
        #expect(throws: EvaluationError.self) { try noBoxes.run() }
        let noSynthetic = DetectionEvaluation(
            real: train, synthetic: nil, holdout: train, settings: DetectorTrainingTests.settings(steps: 1), mixes: [.combined],
            folder: nil)
        #expect(throws: EvaluationError.self) { try noSynthetic.run() }
        var odd = DetectorTrainingTests.settings(steps: 1)
        odd.inputWidth = 100
        #expect(throws: EvaluationError.self) {
            try DetectionEvaluation(real: train, synthetic: nil, holdout: train, settings: odd, mixes: [.real], folder: nil).run()
        }
    }
}
