import ArgumentParser
import Datasets
import Foundation
import GAN
import StudioCore

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
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
            emit(json ? Self.json(report).pretty() : Self.text(report))
        }
    }

    static func json(_ r: EvaluationReport) -> JSONValue {
        func recalls(_ values: [Double]) -> JSONValue {
            .object(zip(r.classes, values).map { ($0, $1.isNaN ? .null : .double(rounded($1))) })
        }
        return .object([
            ("trtr_accuracy", .double(rounded(r.trtrAccuracy))), ("tstr_accuracy", .double(rounded(r.tstrAccuracy))),
            ("combined_accuracy", .double(rounded(r.combinedAccuracy))),
            (
                "per_class_recall",
                .object([
                    ("real_only", recalls(r.recallRealOnly)), ("combined", recalls(r.recallCombined)),
                    ("synthetic_only", recalls(r.recallSyntheticOnly)),
                ])
            ),
            ("frechet_distance", .double(rounded(r.frechetDistance))), ("precision", .double(rounded(r.precision))),
            ("recall", .double(rounded(r.recall))), ("synthetic_classes", .array(r.syntheticClasses.map { .string($0) })),
            (
                "images",
                .object([("real", .int(r.counts.real)), ("synthetic", .int(r.counts.synthetic)), ("holdout", .int(r.counts.holdout))])
            ),
        ])
    }

    static func rounded(_ value: Double) -> Double { (value * 10000).rounded() / 10000 }

    static func text(_ r: EvaluationReport) -> String {
        func percent(_ v: Double) -> String { v.isNaN ? "   –" : String(format: "%5.1f%%", v * 100) }
        var lines = [
            "images: \(r.counts.real) real, \(r.counts.synthetic) synthetic (\(r.syntheticClasses.map(\.terminalSafe).joined(separator: ", "))), \(r.counts.holdout) held out",
            "",
            "accuracy on the held-out real images",
            "  trained on real (TRTR)        \(percent(r.trtrAccuracy))",
            "  trained on synthetic (TSTR)   \(percent(r.tstrAccuracy))   \(String(format: "%.0f%%", r.tstrAccuracy / max(r.trtrAccuracy, 1e-9) * 100)) of TRTR",
            "  trained on real + synthetic   \(percent(r.combinedAccuracy))",
            "",
            "recall per class     real   real+syn   syn",
        ]
        let width = max(5, r.classes.map { $0.terminalSafe.count }.max() ?? 5)
        for (i, name) in r.classes.enumerated() {
            let delta = r.recallCombined[i] - r.recallRealOnly[i]
            let mark = delta.isNaN || abs(delta) < 0.005 ? "" : delta > 0 ? "  ▲" : "  ▼"
            lines.append(
                "  \(name.terminalSafe.padding(toLength: width, withPad: " ", startingAt: 0))  \(percent(r.recallRealOnly[i]))  \(percent(r.recallCombined[i]))  \(percent(r.recallSyntheticOnly[i]))\(mark)"
            )
        }
        lines += [
            "",
            "synthetic vs real (classifier features, same classes)",
            String(format: "  Fréchet distance  %.3f", r.frechetDistance),
            String(format: "  precision %.3f   recall %.3f   (k-NN manifolds, k = 3)", r.precision, r.recall),
        ]
        return lines.joined(separator: "\n")
    }
}
