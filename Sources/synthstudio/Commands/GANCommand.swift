import ArgumentParser
import Datasets
import Engine
import Foundation
import GAN
import NeuralNet
import StudioCore
import TerminalGraphics

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train a class-conditional GAN on real images, sample a class from it, measure its speed.",
        subcommands: [GANTrain.self, GANSample.self, GANBench.self]
    )
}

/// Set by SIGINT/SIGTERM; the training loop checks it between steps.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

/// Ctrl-C and SIGTERM ask the loop to stop after the current step instead of killing the process.
func installStopHandlers() {
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
}

func stopWasRequested() -> Bool { stopRequested != 0 }

struct GANTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a conditional DCGAN on a labelled image dataset (one class per image).",
        discussion: """
            RUN receives run.json (architecture and settings), checkpoint.safetensors (weights, \
            optimizer state, step and random state; PyTorch loads it with safetensors) and \
            samples/step-NNNNNN.png (one row per class). Ctrl-C writes a checkpoint and exits; \
            --resume continues bit for bit as if never stopped.
            """
    )

    @Option(help: "The dataset to learn from (ImageFolder or any format with one class per image).")
    var data: String?

    @Option(help: "The run folder.")
    var out: String

    @Option(help: "Image side the networks work at: 16, 32 or 64.")
    var resolution: Int = 32

    @Option(help: "Images per batch.")
    var batch: Int = 64

    @Option(help: "Training steps in all (with --resume: the new total).")
    var steps: Int?

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(help: "Loss: bce (non-saturating, DCGAN) or hinge.")
    var loss: String = "bce"

    @Option(help: "Generator and discriminator widths.")
    var ngf: Int = 64
    @Option(help: "Discriminator width.")
    var ndf: Int = 64

    @Option(
        help: ArgumentHelp(
            "DiffAugment operations, comma-separated (color,translation,cutout), or none.",
            discussion: "For classes of a few dozen images where the discriminator memorizes; on the digits it hurt (see docs/GAN.md)."))
    var augment: String = "none"

    @Option(help: "Steps between checkpoints and sample grids.")
    var checkpointEvery: Int = 250

    @Flag(help: "Continue the run in --out from its checkpoint.")
    var resume = false

    func run() throws { _ = try execute(onStep: nil) }

    /// Trains; `onStep` is called after every step (the job worker reports progress through it).
    /// False when stopped by a signal before the last step (the checkpoint is written).
    @discardableResult
    func execute(onStep: ((_ step: Int, _ total: Int, _ rate: Double) -> Void)?) throws -> Bool {
        try reportingErrors {
            let model: GANModel
            let data: TrainingSet
            let target: Int
            if resume {
                let saved = try GANRunInfo.read(run: out)
                var info = saved
                if let steps { info.settings.steps = steps }
                if let path = self.data, URL(fileURLWithPath: path).standardizedFileURL.path != saved.datasetRoot {
                    throw CLIError(message: "the run learns from \(saved.datasetRoot.terminalSafe), not \(path.terminalSafe)")
                }
                data = try TrainingSet(dataset: DatasetIO.read(saved.datasetRoot), resolution: info.architecture.resolution)
                guard data.count == saved.imageCount, data.classes == saved.classes else {
                    throw CLIError(
                        message:
                            "the dataset changed since the run started (\(saved.imageCount) images in \(saved.classes.count) classes then, \(data.count) in \(data.classes.count) now); start a new run"
                    )
                }
                model = try GANModel.load(run: out)
                if info != saved { try info.write(run: out) }
                target = info.settings.steps
            } else {
                guard let path = self.data else { throw CLIError(message: "--data is required (or --resume an existing run)") }
                if FileManager.default.fileExists(atPath: GANRunInfo.path(out)) {
                    throw CLIError(message: "\(out.terminalSafe) already holds a run: --resume continues it, or choose a new --out")
                }
                var settings = GANSettings()
                settings.batch = batch
                settings.steps = steps ?? 2000
                settings.seed = seed
                guard let kind = GANSettings.LossKind(rawValue: loss) else { throw CLIError(message: "--loss must be bce or hinge") }
                settings.loss = kind
                settings.checkpointEvery = checkpointEvery
                settings.augment = DiffAugment(try parseAugment(augment))
                try settings.validate()
                data = try TrainingSet(dataset: DatasetIO.read(path), resolution: resolution)
                let architecture = GANArchitecture(
                    resolution: resolution, channels: data.channels, classes: data.classes.count, ngf: ngf, ndf: ndf)
                try architecture.validate()
                let info = GANRunInfo(
                    architecture: architecture, settings: settings, classes: data.classes,
                    datasetRoot: URL(fileURLWithPath: path).standardizedFileURL.path, imageCount: data.count,
                    nativeWidth: data.nativeWidth, nativeHeight: data.nativeHeight)
                try info.write(run: out)
                model = GANModel(info: info)
                // A checkpoint at step 0 at once: a run killed before its first checkpoint can
                // still be resumed, never left as a run.json without weights.
                try model.save(run: out)
                target = settings.steps
            }
            return try train(model, on: data, steps: target, onStep: onStep)
        }
    }

    private func train(
        _ model: GANModel, on data: TrainingSet, steps: Int, onStep: ((_ step: Int, _ total: Int, _ rate: Double) -> Void)?
    ) throws -> Bool {
        let settings = model.info.settings
        let first = model.step
        guard first < steps else {
            emit("the run is already at step \(first) of \(steps); pass a larger --steps to continue")
            return true
        }
        installStopHandlers()
        let progress = ProgressReporter(label: "gan", total: steps - first)
        let start = Date()
        var sums = (discriminator: 0.0, generator: 0.0, count: 0)
        while model.step < steps, !stopWasRequested() {
            let losses = model.trainStep(on: data)
            sums = (sums.discriminator + Double(losses.discriminator), sums.generator + Double(losses.generator), sums.count + 1)
            let rate = Double((model.step - first) * settings.batch) / max(1e-3, Date().timeIntervalSince(start))
            progress.relabel(
                String(format: "step %d  D %.3f  G %.3f  %.0f img/s", model.step, losses.discriminator, losses.generator, rate))
            progress.update(done: model.step - first)
            onStep?(model.step, steps, Double(model.step - first) / max(1e-3, Date().timeIntervalSince(start)))
            if model.step % settings.checkpointEvery == 0 || model.step == steps {
                try model.save(run: out)
                try appendLossLine(step: model.step, sums)
                sums = (0, 0, 0)
            }
        }
        if stopWasRequested() {
            try model.save(run: out)
            try appendLossLine(step: model.step, sums)
            progress.finish(done: model.step - first)
            FileHandle.standardError.write(
                Data(
                    "stopped at step \(model.step); checkpoint written. Continue with: synthstudio gan train --out \(out.terminalSafe) --resume\n"
                        .utf8))
            return false
        }
        progress.finish(done: model.step - first)
        FileHandle.standardError.write(Data("trained to step \(model.step); checkpoint and samples in \(out.terminalSafe)\n".utf8))
        return true
    }
}

extension GANTrain {
    /// One line of `RUN/log.jsonl` per checkpoint: the mean losses since the last one (the Train
    /// screen draws them). Appended with one write, so a line is never half there.
    func appendLossLine(step: Int, _ sums: (discriminator: Double, generator: Double, count: Int)) throws {
        guard sums.count > 0 else { return }
        let line =
            JSONValue.object([
                ("step", .int(step)), ("discriminator", .double((sums.discriminator / Double(sums.count) * 1e4).rounded() / 1e4)),
                ("generator", .double((sums.generator / Double(sums.count) * 1e4).rounded() / 1e4)),
            ]).serialized() + "\n"
        let path = "\(out)/log.jsonl"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw CLIError(message: "cannot write \(path.terminalSafe): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw CLIError(message: "cannot write \(path.terminalSafe): \(String(cString: strerror(errno)))")
        }
    }
}

func parseAugment(_ text: String) throws -> [DiffAugment.Operation] {
    if text == "none" || text.isEmpty { return [] }
    return try text.split(separator: ",").map { name in
        guard let operation = DiffAugment.Operation(rawValue: String(name)) else {
            throw CLIError(message: "unknown augmentation \(String(name).terminalSafe) (color, translation, cutout or none)")
        }
        return operation
    }
}

struct GANSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate images of one class from a trained run into an ImageFolder dataset with provenance.",
        discussion: """
            Images are written at the training data's own size into OUT/<class>/, with one line per \
            image in OUT/provenance.jsonl (run, checkpoint step, seed, index, class), so they are \
            never mistaken for real ones. Image i of seed s is the same in every run; running again \
            into the same --out continues.
            """
    )

    @Option(name: .customLong("run"), help: "The run folder (from gan train).")
    var runFolder: String

    @Option(name: .customLong("class"), help: "The class to generate.")
    var className: String

    @Option(help: "Images to generate.")
    var count: Int

    @Option(help: "The dataset folder to write (created; an existing one is continued).")
    var out: String

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Option(help: "Generate only shard k of n: --shard 0/4.")
    var shard: String?

    func validate() throws {
        if count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let job = try GANSampleJob(
                run: runFolder, className: className, seed: seed, count: count,
                shard: try shard.map { try JobSpec.parseShard($0) } ?? .whole)
            try runUnitsLocally(
                out: out, layout: .imageFolder, label: "sample", name: job.name, pending: job.pending(done:),
                produce: { index, folder in
                    try job.generate(index, into: folder)
                    return {}
                })
        }
    }
}

struct GANBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps and generator throughput of a DCGAN on random data (compare machines, or with PyTorch).")

    @Option(help: "Generator width.")
    var ngf: Int = 64
    @Option(help: "Discriminator width.")
    var ndf: Int = 64
    @Option(help: "Images per batch.")
    var batch: Int = 64
    @Option(help: "Image side: 16, 32 or 64.")
    var resolution: Int = 32
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
            let result = try GANBenchmark.run(
                architecture: GANArchitecture(resolution: resolution, channels: channels, classes: 10, ngf: ngf, ndf: ndf),
                settings: settings)
            if json {
                emit(
                    JSONValue.object([
                        ("step_ms_median", .double(result.stepMilliseconds.median)),
                        ("step_ms", .array(result.stepMilliseconds.map { .double($0) })),
                        ("generator_images_per_s", .double(result.generatorImagesPerSecond)),
                        ("batch", .int(batch)), ("resolution", .int(resolution)), ("channels", .int(channels)), ("ngf", .int(ngf)),
                        ("ndf", .int(ndf)),
                    ]).serialized())
            } else {
                emit(
                    String(
                        format:
                            "DCGAN %d px, %d channel(s), ngf %d, ndf %d, batch %d: training step %.1f ms (median of %d), generator %.0f images/s",
                        resolution, channels, ngf, ndf, batch, result.stepMilliseconds.median, steps, result.generatorImagesPerSecond))
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
