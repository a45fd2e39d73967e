import ArgumentParser
import Datasets
import Evaluation
import Foundation
import GAN
import ImageIO
import StudioCore
import TerminalGraphics

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure synthetic data by what it teaches a model: a classifier (TSTR) or a detector (COCO AP by class × condition).",
        discussion: """
            --task classify (the default): trains a small CNN three times (on real, on synthetic, \
            on real + synthetic images) and tests each on the held-out real images. The Fréchet \
            distance and the k-NN precision and recall compare synthetic images with real images of \
            the same classes, in the feature space of the classifier trained on real data. Every \
            dataset needs one class per image; classes are matched by name.

            --task detect: trains a small CenterNet-style detector on each training mix (real, \
            synthetic, real + synthetic; --finetune adds synthetic pre-training then real \
            fine-tuning) and scores it on the holdout with COCO's AP (mAP@[.5:.95], AP50, AP75, AP \
            by size), AP50 per class, and AP50 per class under every image condition the holdout \
            carries (weather, time of day, …), with the change synthetic data makes in each cell. \
            The holdout's classes are the class list. Checkpoints go to --out; Ctrl-C stops after \
            the current step and the same command resumes.
            """
    )

    enum Task: String, ExpressibleByArgument, CaseIterable { case classify, detect }

    @Option(help: "classify (one class per image) or detect (boxes).")
    var task: Task = .classify

    @Option(help: "Real training images (detect: optional when only --mixes synthetic).")
    var real: String?

    @Option(help: "Synthetic images (rendered, or from gan sample).")
    var synthetic: String?

    @Option(help: "Held-out real images, never trained on.")
    var holdout: String

    @Option(help: "Seed for the models.")
    var seed: UInt64 = 1

    @Option(help: "classify: classifiers trained per mix (seeds SEED, SEED+1, …); every figure is their mean ± spread.")
    var seeds: Int = 3

    @Option(help: "Training steps per model (classify: batch 64, default 600; detect: --batch, default 1500).")
    var steps: Int?

    @Option(help: "detect: the detector's input size WxH (multiples of 16).")
    var size: String = "256x192"

    @Option(help: "detect: images per training step.")
    var batch: Int = 16

    @Option(help: "detect: training mixes, comma-separated: real, synthetic, real+synthetic.")
    var mixes: String = "real,synthetic,real+synthetic"

    @Flag(help: "detect: also pre-train on synthetic images, then fine-tune on real ones.")
    var finetune = false

    @Flag(help: "detect: train without flips, scale and colour jitter.")
    var noAugment = false

    @Option(
        help:
            "detect: folder for checkpoints and report.json (default: .studio/evaluations/detect-<key> of the holdout's workspace, else evaluate-detect-<key> here)."
    )
    var out: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if task == .classify, real == nil || synthetic == nil { throw ValidationError("--task classify needs --real and --synthetic") }
    }

    func run() throws {
        try reportingErrors {
            switch task {
            case .classify:
                var bar: ProgressReporter?
                let report = try Evaluation.run(
                    real: DatasetIO.read(real!), synthetic: DatasetIO.read(synthetic!), holdout: DatasetIO.read(holdout), seed: seed,
                    steps: steps ?? 600, seeds: seeds,
                    progress: { stage in bar?.relabel(stage) },
                    stepped: { done, total in
                        guard !json else { return }
                        bar = bar ?? ProgressReporter(label: "evaluate", total: total)
                        bar?.update(done: done)
                    })
                bar?.finish(done: 3 * seeds * (steps ?? 600))
                emit(json ? report.json().pretty() : report.text)
            case .detect: try detect()
            }
        }
    }

    private func detect() throws {
        var settings = DetectorSettings()
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw CLIError(message: "--size must be WIDTHxHEIGHT, e.g. 256x192") }
        (settings.inputWidth, settings.inputHeight) = (parts[0], parts[1])
        settings.steps = steps ?? 1500
        settings.batch = batch
        settings.seed = seed
        settings.augment = !noAugment
        var chosen: [TrainingMix] = []
        for name in mixes.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let mix = TrainingMix(rawValue: name), mix != .finetuned else {
                throw CLIError(
                    message: "unknown mix \(name.terminalSafe) (real, synthetic, real+synthetic; --finetune adds synthetic→real)")
            }
            chosen.append(mix)
        }
        if finetune { chosen.append(.finetuned) }
        let realData = try real.map { try DatasetIO.read($0) }
        let syntheticData = try synthetic.map { try DatasetIO.read($0) }
        let holdoutData = try DatasetIO.read(holdout)
        var key = StableHash()
        for root in [realData?.root, syntheticData?.root, holdoutData.root] { key.combine(root ?? "-") }
        key.combine("\(settings.inputWidth)x\(settings.inputHeight) \(settings.steps) \(settings.batch) \(seed) \(settings.augment)")
        // In the holdout's workspace, where the studio's Coverage screen finds the report (key a).
        var ancestor = URL(fileURLWithPath: holdoutData.root).standardizedFileURL
        while ancestor.path != "/", !Workspace.isWorkspace(ancestor.path) { ancestor.deleteLastPathComponent() }
        let folder =
            out
            ?? (Workspace.isWorkspace(ancestor.path)
                ? "\(ancestor.path)/.studio/evaluations/detect-\(key.hex(8))" : "evaluate-detect-\(key.hex(8))")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let evaluation = DetectionEvaluation(
            real: realData, synthetic: syntheticData, holdout: holdoutData, settings: settings, mixes: chosen, folder: folder)
        installStopHandlers()
        var bar: ProgressReporter?
        var current: TrainingMix?
        var total = settings.steps
        let outcome = try evaluation.run(
            progress: { p in
                if current != p.mix {
                    bar?.finish(done: p.steps)
                    if !json { Console.error("evaluate: training \(p.mixIndex + 1) of \(p.mixCount), on \(p.mix.rawValue) images\n") }
                    bar = json ? nil : ProgressReporter(label: "detect", total: p.steps)
                    current = p.mix
                    total = p.steps
                }
                bar?.relabel(
                    String(
                        format: "%@ loss %.2f", p.mix.rawValue, p.loss))
                bar?.update(done: p.step)
            }, shouldStop: stopWasRequested,
            log: { line in
                if !json { Console.error("evaluate: \(line)\n") }
            })
        switch outcome {
        case .stopped(let mix, let step):
            bar?.finish(done: step)
            Console.error(
                "stopped at step \(step) of \(mix.rawValue); checkpoints in \(folder.terminalSafe). Run the same command to resume.\n")
        case .finished(let report):
            bar?.finish(done: total)
            let document = report.json()
            try FileIO.writeAtomically(Array((document.pretty() + "\n").utf8), to: "\(folder)/report.json")
            emit(json ? document.pretty() : report.text + "\n\nreport: \(folder.terminalSafe)/report.json")
        }
    }
}
