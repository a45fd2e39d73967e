internal import Datasets
internal import Foundation
public import StudioCore

/// How an evaluation report is shown: the CLI prints it, an `evaluate` job puts it in its log.
extension EvaluationReport {
    /// The report as one JSON object (what `evaluate --json` prints).
    public func json() -> JSONValue {
        let r = self
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

    private func rounded(_ value: Double) -> Double { (value * 10000).rounded() / 10000 }

    /// The report as the lines `evaluate` prints (names escaped for the terminal).
    public var text: String {
        let r = self
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
