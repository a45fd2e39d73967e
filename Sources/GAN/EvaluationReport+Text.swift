internal import Datasets
internal import Foundation
public import StudioCore

/// How an evaluation report is shown: the CLI prints it, an `evaluate` job puts it in its log.
extension EvaluationReport {
    /// The report as one JSON object (what `evaluate --json` prints). Each figure is the mean over
    /// the seeds; `…_spread` is its standard deviation across them.
    public func json() -> JSONValue {
        let r = self
        func number(_ v: Double) -> JSONValue { v.isFinite ? .double((v * 10000).rounded() / 10000) : .null }
        func perClass(_ values: [Measured], _ pick: (Measured) -> Double) -> JSONValue {
            .object(zip(r.classes, values).map { ($0, number(pick($1))) })
        }
        /// One per-class figure of the three classifiers (trained on real, real + synthetic, synthetic).
        func byClassifier(_ real: [Measured], _ combined: [Measured], _ synthetic: [Measured], _ pick: (Measured) -> Double) -> JSONValue {
            .object([
                ("real_only", perClass(real, pick)), ("combined", perClass(combined, pick)), ("synthetic_only", perClass(synthetic, pick)),
            ])
        }
        func recalls(_ pick: (Measured) -> Double) -> JSONValue {
            byClassifier(r.recallRealOnly, r.recallCombined, r.recallSyntheticOnly, pick)
        }
        func precisions(_ pick: (Measured) -> Double) -> JSONValue {
            byClassifier(r.precisionRealOnly, r.precisionCombined, r.precisionSyntheticOnly, pick)
        }
        func comparison(_ c: ClassComparison) -> [(String, JSONValue)] {
            [
                ("frechet_distance", number(c.frechetDistance.mean)), ("frechet_distance_spread", number(c.frechetDistance.spread)),
                ("frechet_reference", number(c.frechetReference.mean)), ("frechet_relative", number(c.relativeFrechet)),
                ("precision", number(c.precision.mean)), ("recall", number(c.recall.mean)),
                ("precision_reference", number(c.precisionReference.mean)), ("recall_reference", number(c.recallReference.mean)),
                ("diversity", number(c.diversity.mean)), ("synthetic_images", .int(c.synthetic)), ("held_out_images", .int(c.heldOut)),
            ]
        }
        var members: [(String, JSONValue)] = [
            ("seeds", .int(r.seeds)),
            ("trtr_accuracy", number(r.trtrAccuracy.mean)), ("trtr_accuracy_spread", number(r.trtrAccuracy.spread)),
            ("tstr_accuracy", number(r.tstrAccuracy.mean)), ("tstr_accuracy_spread", number(r.tstrAccuracy.spread)),
            ("combined_accuracy", number(r.combinedAccuracy.mean)), ("combined_accuracy_spread", number(r.combinedAccuracy.spread)),
            ("per_class_recall", recalls(\.mean)), ("per_class_recall_spread", recalls(\.spread)),
            ("per_class_precision", precisions(\.mean)), ("per_class_precision_spread", precisions(\.spread)),
        ]
        members += comparison(r.overall)
        members += [
            ("per_class", .object(r.perClass.map { ($0.className, .object(comparison($0))) })),
            ("synthetic_classes", .array(r.syntheticClasses.map { .string($0) })),
            (
                "images",
                .object([("real", .int(r.counts.real)), ("synthetic", .int(r.counts.synthetic)), ("holdout", .int(r.counts.holdout))])
            ),
        ]
        return .object(members)
    }

    /// The report as the lines `evaluate` prints (names escaped for the terminal).
    public var text: String {
        let r = self
        let several = r.seeds > 1
        func percent(_ m: Measured) -> String {
            guard m.mean.isFinite else { return several ? "     –      " : "    –" }
            return String(format: "%5.1f%%", m.mean * 100) + (several ? String(format: " ±%4.1f", m.spread * 100) : "")
        }
        let synthClasses = r.syntheticClasses.map(\.terminalSafe).joined(separator: ", ")
        let seedsNote = several ? "; means over \(r.seeds) seeds ± their spread" : ""
        let ofTRTR = String(format: "%.0f%%", r.tstrAccuracy.mean / max(r.trtrAccuracy.mean, 1e-9) * 100)
        var lines: [String] = [
            "images: \(r.counts.real) real, \(r.counts.synthetic) synthetic (\(synthClasses)), \(r.counts.holdout) held out\(seedsNote)",
            "",
            "accuracy on the held-out real images",
            "  trained on real (TRTR)        \(percent(r.trtrAccuracy))",
            "  trained on synthetic (TSTR)   \(percent(r.tstrAccuracy))   \(ofTRTR) of TRTR",
            "  trained on real + synthetic   \(percent(r.combinedAccuracy))",
            "",
        ]
        let width = max(5, r.classes.map { $0.terminalSafe.count }.max() ?? 5)
        func padded(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        func right(_ text: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - text.count)) + text }
        let column = several ? 13 : 7
        // Per class, by what the classifier was trained on; ▲ or ▼ where real + synthetic moves
        // the figure by more than the seeds' spread.
        func perClass(_ title: String, _ real: [Measured], _ combined: [Measured], _ synthetic: [Measured]) {
            lines.append(title)
            lines.append("  " + padded("class") + "  " + ["real", "real+syn", "syn"].map { right($0, column) }.joined(separator: "  "))
            for (i, name) in r.classes.enumerated() {
                let delta = combined[i].mean - real[i].mean
                let noise = max(combined[i].spread, real[i].spread, 0.005)
                let mark = !delta.isFinite || abs(delta) < noise ? "" : delta > 0 ? "  ▲" : "  ▼"
                lines.append(
                    "  \(padded(name.terminalSafe))  "
                        + [real[i], combined[i], synthetic[i]].map { right(percent($0), column) }
                        .joined(separator: "  ") + mark)
            }
        }
        perClass(
            "held-out recall per class, by what the classifier was trained on", r.recallRealOnly, r.recallCombined, r.recallSyntheticOnly)
        lines.append("")
        perClass(
            "held-out precision per class (of the images called the class, the share that are)", r.precisionRealOnly, r.precisionCombined,
            r.precisionSyntheticOnly)
        lines += [
            "",
            "synthetic vs held-out real, in the real classifier's features ([real vs real]: one held-out half against the other)",
            "  " + padded("class") + "     FD  [real]  × real   precision [real]   recall [real]   diversity",
        ]
        for c in [r.overall] + r.perClass {
            lines.append(
                "  " + padded(c.className == "all" && r.perClass.count > 1 ? "all" : c.className.terminalSafe)
                    + String(
                        format: " %7.2f  [%5.2f]  %5.2f×      %.2f [%.2f]     %.2f [%.2f]     %.2f×", c.frechetDistance.mean,
                        c.frechetReference.mean, c.relativeFrechet, c.precision.mean, c.precisionReference.mean, c.recall.mean,
                        c.recallReference.mean, c.diversity.mean))
        }
        lines.append("  (FD × real: 1 is as close as real images come to each other; diversity: the synthetic spread over the real one)")
        return lines.joined(separator: "\n")
    }
}
