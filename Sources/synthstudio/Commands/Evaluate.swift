import ArgumentParser
import Datasets
import Foundation
import GAN
import StudioCore

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure synthetic images by what they teach a classifier: TSTR, real+synthetic, per-class recall, FD, precision/recall.",
        discussion: """
            Trains a small CNN three times (on real, on synthetic, on real + synthetic images) and \
            tests each on the held-out real images. The Fréchet distance and the k-NN precision and \
            recall compare synthetic images with real images of the same classes, in the feature \
            space of the classifier trained on real data. Every dataset needs one class per image; \
            classes are matched by name.
            """
    )

    @Option(help: "Real training images.")
    var real: String

    @Option(help: "Synthetic images (e.g. from gan sample).")
    var synthetic: String

    @Option(help: "Held-out real images, never trained on.")
    var holdout: String

    @Option(help: "Seed for the classifiers.")
    var seed: UInt64 = 1

    @Option(help: "Training steps per classifier (batch 64).")
    var steps: Int = 600

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let report = try Evaluation.run(
                real: DatasetIO.read(real), synthetic: DatasetIO.read(synthetic), holdout: DatasetIO.read(holdout), seed: seed,
                steps: steps,
                progress: { stage in
                    if !json { FileHandle.standardError.write(Data("evaluate: \(stage)…\n".utf8)) }
                })
            emit(json ? report.json().pretty() : report.text)
        }
    }
}
