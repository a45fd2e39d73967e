internal import Foundation
public import StudioCore

/// How a detection report is shown: `evaluate --task detect` prints it; the studio reads its JSON.
extension DetectionReport {
    static func value(_ v: Double) -> JSONValue { v < 0 || v.isNaN ? .null : .double((v * 10000).rounded() / 10000) }

    /// One JSON object: settings, image counts, and per mix the COCO figures, AP per class, and
    /// AP50 per class under every condition.
    public func json() -> JSONValue {
        func perClass(_ s: DetectionScores) -> JSONValue {
            .object(
                classes.indices.map { k in
                    (
                        classes[k],
                        .object([
                            ("ap", Self.value(s.perCategoryAP[k])), ("ap50", Self.value(s.perCategoryAP50[k])),
                            ("objects", .int(s.groundTruthCounts[k])),
                        ])
                    )
                })
        }
        let names = [
            "ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "ar1", "ar10", "ar100", "ar_small", "ar_medium", "ar_large",
        ]
        return .object([
            ("task", .string("detect")), ("classes", .array(classes.map { .string($0) })),
            (
                "settings",
                .object([
                    ("input", .string("\(settings.inputWidth)x\(settings.inputHeight)")), ("steps", .int(settings.steps)),
                    ("batch", .int(settings.batch)), ("seed", .int(Int(settings.seed))), ("augment", .bool(settings.augment)),
                ])
            ),
            ("images", .object([("real", .int(images.real)), ("synthetic", .int(images.synthetic)), ("holdout", .int(images.holdout))])),
            (
                "mixes",
                .array(
                    mixes.map { m in
                        .object(
                            [
                                ("mix", .string(m.mix.rawValue)), ("steps", .int(m.steps)),
                                ("seconds", .double((m.seconds * 10).rounded() / 10)),
                            ]
                                + zip(names, m.overall.stats).map { ($0, Self.value($1)) } + [
                                    ("per_class", perClass(m.overall)),
                                    (
                                        "conditions",
                                        .array(
                                            m.conditions.map { c in
                                                .object([
                                                    ("attribute", .string(c.attribute)), ("value", .string(c.value)),
                                                    ("images", .int(c.images)),
                                                    ("ap", Self.value(c.scores.ap)), ("ap50", Self.value(c.scores.ap50)),
                                                    (
                                                        "per_class_ap50",
                                                        .object(
                                                            classes.indices.map { (classes[$0], Self.value(c.scores.perCategoryAP50[$0])) })
                                                    ),
                                                ])
                                            })
                                    ),
                                ])
                    })
            ),
        ])
    }

    /// The report as the lines `evaluate` prints: the COCO figures per mix, AP50 per class per
    /// mix, and AP50 per class under each condition, with what synthetic data changed.
    public var text: String {
        func percent(_ v: Double) -> String { v < 0 || v.isNaN ? "    –" : String(format: "%5.1f", v * 100) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        let names = classes.map(\.terminalSafe)
        let width = max(14, (names.map(\.count).max() ?? 0) + 2)
        var lines = [
            "images: \(images.real) real, \(images.synthetic) synthetic, \(images.holdout) held out; \(classes.count) classes",
            "detector: CenterNet-style, input \(settings.inputWidth)×\(settings.inputHeight), \(settings.steps) steps × \(settings.batch) per mix",
            "",
            "COCO AP on the held-out images (%)",
            pad("  trained on", width + 2) + "   mAP  AP50  AP75   APs   APm   APl  AR100   time",
        ]
        for m in mixes {
            let s = m.overall.stats
            lines.append(
                pad("  \(m.mix.rawValue)", width + 2) + " " + [s[0], s[1], s[2], s[3], s[4], s[5]].map(percent).joined(separator: " ")
                    + "  "
                    + percent(s[8]) + String(format: " %5.0fs", m.seconds))
        }
        let header = mixes.map { pad(" \($0.mix.rawValue)", 9) }.joined()
        lines += ["", "AP50 per class (%)", pad("  class", width + 2) + header + "  objects"]
        for k in classes.indices {
            lines.append(
                pad("  \(names[k])", width + 2) + mixes.map { pad(" " + percent($0.overall.perCategoryAP50[k]), 9) }.joined() + "  "
                    + String(mixes.first?.overall.groundTruthCounts[k] ?? 0))
        }
        // What synthetic data changed in each cell: real+synthetic against real when both ran,
        // else the one mix's AP50.
        let base = mixes.first { $0.mix == .real }
        let with = mixes.first { $0.mix == .combined } ?? mixes.first { $0.mix == .finetuned }
        guard let shown = with ?? mixes.first else { return lines.joined(separator: "\n") }
        var attributes: [String] = []
        for c in shown.conditions where !attributes.contains(c.attribute) { attributes.append(c.attribute) }
        for attribute in attributes {
            let cells = shown.conditions.enumerated().filter { $0.element.attribute == attribute }
            lines += [
                "",
                base != nil && with != nil
                    ? "AP50 by \(attribute.terminalSafe): \(base!.mix.rawValue) → \(shown.mix.rawValue) (%)"
                    : "AP50 by \(attribute.terminalSafe), \(shown.mix.rawValue) (%)",
                pad("  class", width + 2) + cells.map { pad(" \($0.element.value.terminalSafe) (\($0.element.images))", 16) }.joined(),
            ]
            for k in classes.indices {
                let row = cells.map { offset, c -> String in
                    let after = c.scores.perCategoryAP50[k]
                    guard let base, after >= 0 else { return pad(" " + percent(after), 16) }
                    let before = base.conditions[offset].scores.perCategoryAP50[k]
                    guard before >= 0 else { return pad(" " + percent(after), 16) }
                    return pad(String(format: " %3.0f→%-3.0f %+4.0f", before * 100, after * 100, (after - before) * 100), 16)
                }
                lines.append(pad("  \(names[k])", width + 2) + row.joined())
            }
        }
        return lines.joined(separator: "\n")
    }
}
