import ArgumentParser
import Datasets
import Engine
import Foundation
import GAN
import ImageIO
import StudioCore
import TerminalGraphics

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train a class-conditional GAN on real images, sample a class from it, measure its speed.",
        subcommands: [GANTrain.self, GANSample.self, GANCheck.self, GANBench.self]
    )
}

struct GANTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a class-conditional GAN on a labelled image dataset (one class per image).",
        discussion: """
            RUN receives run.json (architecture and settings), checkpoint.safetensors (weights, \
            optimizer state, step and random state; PyTorch loads it with safetensors) and \
            samples/step-NNNNNN.png (one row per class). Ctrl-C writes a checkpoint and exits; \
            --resume continues bit for bit as if never stopped, with the settings in run.json \
            (only --steps, --seconds and --data may be given with it).
            """
    )

    @Option(help: "The dataset to learn from (ImageFolder or any format with one class per image).")
    var data: String?

    @Option(help: "The run folder.")
    var out: String

    @Option(
        help: ArgumentHelp(
            "Image side the networks work at: 16, 32, 64, 128, or auto (the default).",
            discussion: "auto: the smallest of them that holds the images without shrinking them (8-px digits at 16, 28-px images at 32)."))
    var resolution: String?

    @Option(
        help: ArgumentHelp(
            "Networks: dcgan (the default), or resnet (residual blocks, class-conditional batch norm, spectral normalization; hinge loss).",
            discussion: "See docs/GAN.md for what each is and what was measured."))
    var architecture: String?

    @Option(help: "Images per batch (default 64).")
    var batch: Int?

    @Option(help: "Training steps in all (with --resume: the new total).")
    var steps: Int?

    @Option(
        help: ArgumentHelp(
            "A wall-clock budget in seconds for the training steps; a checkpoint is written when it ends.",
            discussion: "The run is then finished at the step it reached (--resume with --seconds or --steps goes on)."))
    var seconds: Double?

    @Option(help: "Seed (default 1).")
    var seed: UInt64?

    @Option(help: "Loss: bce (non-saturating; dcgan's default) or hinge (resnet's default).")
    var loss: String?

    @Option(
        help: ArgumentHelp(
            "Adam's learning rate: the generator's, and the discriminator's unless --discriminator-learning-rate.",
            discussion: "Default 2e-4 for dcgan, 4e-4 for resnet (see docs/GAN.md)."))
    var learningRate: Float?

    @Option(help: "The discriminator's own learning rate (two time-scale update rule).")
    var discriminatorLearningRate: Float?

    @Option(help: "Adam's beta1 (momentum); default 0.5 for dcgan, 0 for resnet.")
    var beta1: Float?

    @Option(help: "Adam's beta2; default 0.999 for dcgan, 0.9 for resnet.")
    var beta2: Float?

    @Option(help: "Generator width (default 64).")
    var ngf: Int?
    @Option(help: "Discriminator width (default 64).")
    var ndf: Int?

    @Option(
        help: ArgumentHelp(
            "ada (adaptive: color, translation and cutout, as often as the discriminator overfits), DiffAugment operations always applied (color,translation,cutout, any of them), or none (the default).",
            discussion:
                "For classes of a few dozen images where the discriminator memorizes; fixed DiffAugment collapsed the digits (see docs/GAN.md)."
        ))
    var augment: String?

    @Option(help: "Steps between checkpoints and sample grids (default 250).")
    var checkpointEvery: Int?

    @Option(help: "Decay of the moving average of the generator's weights that samples use (0: off; default 0.999).")
    var ema: Float?

    @Option(
        help: ArgumentHelp(
            "How images that are not square become the networks' square: stretch (the default), pad (letterbox; samples keep the images' aspect) or crop (the centre square).",
            discussion: "Recorded in run.json; square images are the same under all three."))
    var fit: String?

    @Option(
        help: ArgumentHelp(
            "Weight of the mode-seeking term, which pushes a class's images from different noise apart (0: off).",
            discussion: "Default 0.3 for resnet, 0 for dcgan; batches become pairs of the same classes. See docs/GAN.md."))
    var modeSeeking: Float?

    @Flag(help: "Continue the run in --out from its checkpoint.")
    var resume = false

    /// The options that choose a run's settings, as given on the command line: a resume refuses
    /// them rather than leave them silently unused.
    var settingsGiven: [String] {
        let options: [(String, Bool)] = [
            ("--resolution", resolution != nil), ("--architecture", architecture != nil), ("--batch", batch != nil),
            ("--seed", seed != nil), ("--loss", loss != nil), ("--learning-rate", learningRate != nil),
            ("--discriminator-learning-rate", discriminatorLearningRate != nil), ("--beta1", beta1 != nil), ("--beta2", beta2 != nil),
            ("--ngf", ngf != nil), ("--ndf", ndf != nil), ("--augment", augment != nil), ("--checkpoint-every", checkpointEvery != nil),
            ("--ema", ema != nil), ("--fit", fit != nil), ("--mode-seeking", modeSeeking != nil),
        ]
        return options.filter(\.1).map(\.0)
    }

    func run() throws {
        try reportingErrors {
            let start: GANTrainer.Start
            if resume {
                let fixed = settingsGiven
                guard fixed.isEmpty else {
                    throw CLIError(
                        message: "\(fixed.joined(separator: ", ")): a resumed run keeps the settings in its run.json, "
                            + "so it continues bit for bit; start a new --out to train with other settings")
                }
                start = .resume(steps: steps, data: data)
            } else {
                guard let data else { throw CLIError(message: "--data is required (or --resume an existing run)") }
                guard let kind = GANArchitecture.Kind(name: architecture ?? "dcgan") else {
                    throw CLIError(message: "--architecture must be dcgan or resnet")
                }
                var settings = GANSettings(for: kind)
                if let batch { settings.batch = batch }
                settings.steps = steps ?? (seconds == nil ? 2000 : GANTrainer.unboundedSteps)
                if let seed { settings.seed = seed }
                if let loss {
                    guard let lossKind = GANSettings.LossKind(rawValue: loss) else {
                        throw CLIError(message: "--loss must be bce or hinge")
                    }
                    settings.loss = lossKind
                }
                if let checkpointEvery { settings.checkpointEvery = checkpointEvery }
                if let ema { settings.ema = ema }
                if let modeSeeking { settings.modeSeeking = modeSeeking }
                if let learningRate { settings.learningRate = learningRate }
                settings.discriminatorLearningRate = discriminatorLearningRate
                if let beta1 { settings.beta1 = beta1 }
                if let beta2 { settings.beta2 = beta2 }
                if let augment { settings.augment = try DiffAugment.parse(augment) }
                if let fit {
                    guard let fit = ImageFit(rawValue: fit) else { throw CLIError(message: "--fit must be stretch, pad or crop") }
                    settings.fit = fit
                }
                let resolution = resolution ?? "auto"
                guard resolution == "auto" || Int(resolution) != nil else {
                    throw CLIError(message: "--resolution must be 16, 32, 64, 128 or auto")
                }
                start = .new(
                    data: data, resolution: Int(resolution), settings: settings, ngf: ngf ?? GANArchitecture.defaultWidth,
                    ndf: ndf ?? GANArchitecture.defaultWidth, kind: kind)
            }
            installStopHandlers()
            var progress: ProgressReporter?
            if let seconds, !(seconds > 0 && seconds.isFinite) { throw CLIError(message: "--seconds must be a positive number") }
            let outcome = try GANTrainer(run: out, start: start, seconds: seconds).train(
                progress: { p in
                    // With a budget the bar counts seconds; otherwise steps.
                    let budget = seconds.map { Int($0.rounded(.up)) }
                    let bar = progress ?? ProgressReporter(label: "gan", total: budget ?? (p.total - p.step + p.sessionSteps))
                    progress = bar
                    bar.relabel(
                        String(
                            format: "step %d  D %.3f  G %.3f  %.0f img/s", p.step, p.losses.discriminator, p.losses.generator,
                            p.stepsPerSecond * Double(p.batch))
                            + (p.losses.augmentProbability < 1 ? String(format: "  aug p %.2f", p.losses.augmentProbability) : ""))
                    bar.update(done: budget.map { min($0, Int(Double(p.sessionSteps) / max(p.stepsPerSecond, 1e-9))) } ?? p.sessionSteps)
                }, shouldStop: stopWasRequested, log: { emit($0) })
            switch outcome {
            case .finished(let step):
                progress?.finish(done: seconds.map { Int($0.rounded(.up)) } ?? step)
                Console.error("trained to step \(step); checkpoint and samples in \(out.terminalSafe)\n")
            case .stopped(let step):
                progress?.finish(done: step)
                Console.error(
                    "stopped at step \(step); checkpoint written. Continue with: synthstudio gan train --out \(out.terminalSafe) --resume"
                        + (seconds.map { String(format: " --seconds %g", $0) } ?? "") + "\n"
                )
            }
        }
    }
}

struct GANSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate images of one class, several, or all from a trained run into an ImageFolder dataset with provenance.",
        discussion: """
            Images are written at the training data's own size into OUT/<class>/, with one line per \
            image in OUT/provenance.jsonl (run, checkpoint step, seed, index, class), so they are \
            never mistaken for real ones (ImageFolder loaders such as torchvision's take only the \
            folders under OUT as classes, so the file beside them is not read as data). Image i of \
            seed s is the same in every run; running again into the same --out continues.
            """
    )

    @Option(name: .customLong("run"), help: "The run folder (from gan train).")
    var runFolder: String

    @Option(name: .customLong("class"), help: "The class to generate.")
    var className: String?

    @Option(help: "Classes to generate: all, or names separated by commas (7 or 0,3,7 for the digits).")
    var classes: String?

    @Option(help: "Images to generate (per class with --classes).")
    var count: Int?

    @Option(help: "Images per class (the same as --count).")
    var countPerClass: Int?

    @Option(help: "The dataset folder to write (created; an existing one is continued).")
    var out: String

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(help: "Generate only shard k of n: --shard 0/4.")
    var shard: String?

    func validate() throws {
        if (className == nil) == (classes == nil) { throw ValidationError("give --class NAME or --classes all|A,B,…") }
        if (count == nil) == (countPerClass == nil) { throw ValidationError("give --count N or --count-per-class N") }
        if (count ?? countPerClass ?? 0) < 1 { throw ValidationError("the count must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let folder = FileIO.absolute(out)
            let known = try GANRunInfo.read(run: runFolder).classes
            let wanted: [String]
            if let className {
                wanted = [className]
            } else if classes == "all" {
                wanted = known
            } else {
                wanted = (classes ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if let unknown = wanted.first(where: { !known.contains($0) }) {
                    throw CLIError(
                        message:
                            "the run has no class \(unknown.terminalSafe); it knows \(known.map(\.terminalSafe).joined(separator: ", ")) (or --classes all)"
                    )
                }
            }
            let shard = try shard.map { t throws(EngineError) in try Shard.parse(t) } ?? .whole
            // One job per class into the same folder: each class's names carry its own key.
            for name in wanted {
                let spec = JobSpec.ganSample(
                    GANSampleSpec(
                        id: "sample",
                        units: UnitPlan(
                            dataset: FileIO.lastComponent(of: folder), count: count ?? countPerClass ?? 0, seed: seed, shard: shard),
                        run: FileIO.absolute(runFolder), className: name))
                try spec.validate()
                try runInProcess(spec, into: folder, label: wanted.count == 1 ? "sample" : "sample \(name.terminalSafe)")
            }
        }
    }
}

struct GANCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Measure a run's latest checkpoint: does every class vary, and look like itself?",
        discussion: """
            A classifier trained on the run's real images (RUN/judge.safetensors, trained on first \
            use) sees 32 samples of each class. Diversity is their mean pairwise distance in its \
            feature space over the real images' (below 0.5 the class has collapsed: the generator \
            ignores its noise); fidelity is the share it assigns to the asked class. Training \
            logs the same at every checkpoint. Exit status 1 when a class collapsed or is drawn \
            as another class.
            """
    )

    @Option(name: .customLong("run"), help: "The run folder (from gan train).")
    var runFolder: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        var failed = false
        try reportingErrors {
            let check = try SampleJudge.check(run: runFolder, log: { Console.error($0 + "\n") })
            let q = check.quality
            failed = q.contains { $0.collapsed || $0.offClass }
            if json {
                func number(_ v: Double) -> JSONValue { v.isFinite ? .double((v * 1e4).rounded() / 1e4) : .null }
                emit(
                    JSONValue.object([
                        ("step", .int(check.step)),
                        (
                            "classes",
                            .array(
                                check.classes.indices.map { c in
                                    .object([
                                        ("class", .string(check.classes[c])), ("diversity", number(q[c].diversity)),
                                        ("fidelity", number(q[c].fidelity)), ("fidelity_reference", number(q[c].reference)),
                                        ("collapsed", .bool(q[c].collapsed)),
                                        ("off_class", .bool(q[c].offClass)),
                                    ])
                                })
                        ),
                    ]).serialized())
                return
            }
            let width = max(5, check.classes.map { $0.terminalSafe.count }.max() ?? 5)
            emit("step \(check.step): \(SampleJudge.samplesPerClass) samples per class")
            emit("class".padding(toLength: width, withPad: " ", startingAt: 0) + "  diversity  fidelity  (on real images)")
            for (c, name) in check.classes.enumerated() {
                let flags = [q[c].collapsed ? "collapsed" : nil, q[c].offClass ? "off-class" : nil].compactMap { $0 }.joined(
                    separator: ", ")
                emit(
                    name.terminalSafe.padding(toLength: width, withPad: " ", startingAt: 0)
                        + String(format: "  %8.2f×  %7.0f%%  %9.0f%%        ", q[c].diversity, q[c].fidelity * 100, q[c].reference * 100)
                        + flags)
            }
            for warning in ClassQuality.warnings(q, classes: check.classes) { Console.error("warning: \(warning)\n") }
        }
        if failed { throw ExitCode(1) }
    }
}

struct GANBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Time training steps and generator throughput of a GAN (DCGAN or ResNet) on random data (compare machines, or with PyTorch).")

    @Option(help: "Generator width.")
    var ngf: Int = 64
    @Option(help: "Discriminator width.")
    var ndf: Int = 64
    @Option(help: "Images per batch.")
    var batch: Int = 64
    @Option(help: "Image side: 16, 32, 64 or 128.")
    var resolution: Int = 32
    @Option(help: "dcgan or resnet.")
    var architecture: String = "dcgan"
    @Option(help: "1 or 3.")
    var channels: Int = 1
    @Option(help: "Timed training steps (after 3 warm-up steps).")
    var steps: Int = 30
    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try reportingErrors {
            var settings = GANSettings()
            settings.batch = batch
            settings.steps = steps
            try settings.validate()
            guard let kind = ["dcgan": GANArchitecture.Kind.dcgan, "resnet": .resnet][architecture] else {
                throw CLIError(message: "--architecture must be dcgan or resnet")
            }
            if kind == .resnet { settings.loss = .hinge }
            let result = try GANBenchmark.run(
                architecture: GANArchitecture(kind: kind, resolution: resolution, channels: channels, classes: 10, ngf: ngf, ndf: ndf),
                settings: settings)
            if json {
                emit(
                    JSONValue.object([
                        ("step_ms_median", .double(result.stepMilliseconds.median)),
                        ("step_ms", .array(result.stepMilliseconds.map { .double($0) })),
                        ("generator_images_per_s", .double(result.generatorImagesPerSecond)),
                        ("architecture", .string(architecture)), ("batch", .int(batch)), ("resolution", .int(resolution)),
                        ("channels", .int(channels)), ("ngf", .int(ngf)),
                        ("ndf", .int(ndf)),
                    ]).serialized())
            } else {
                emit(
                    String(
                        format:
                            "%@ %d px, %d channel(s), ngf %d, ndf %d, batch %d: training step %.1f ms (median of %d), generator %.0f images/s",
                        architecture == "resnet" ? "ResNet" : "DCGAN", resolution, channels, ngf, ndf, batch,
                        result.stepMilliseconds.median, steps, result.generatorImagesPerSecond))
            }
        }
    }
}

extension [Double] {
    var median: Double {
        let sorted = self.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
