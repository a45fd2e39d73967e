internal import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// A whole training session on a run folder: starting a run (settings checked, `run.json` and a
/// step-0 checkpoint written at once, so a run killed before its first checkpoint still resumes)
/// or resuming one (the dataset checked to be the one it learns from), then steps until the
/// target or a stop request, with checkpoints, sample grids and `log.jsonl` lines on the way.
/// `synthstudio gan train` and `gan-train` jobs both run it; they differ only in how they report.
public struct GANTrainer: Sendable {
    /// How a session starts.
    public enum Start: Sendable {
        /// A new run: the dataset to learn from and the settings.
        /// A new run; `resolution` nil picks one from the images (`automaticResolution`).
        case new(data: String, resolution: Int?, settings: GANSettings, ngf: Int, ndf: Int, kind: GANArchitecture.Kind = .dcgan)
        /// Continue the run in the folder; `steps` raises its target when given; `data`, when given,
        /// must be the dataset it learns from.
        case resume(steps: Int?, data: String?)
    }

    /// What is reported after every step.
    public struct Progress: Sendable {
        public let step: Int
        public let total: Int
        /// Steps since this session began.
        public let sessionSteps: Int
        /// Steps per second in this session.
        public let stepsPerSecond: Double
        public let losses: GANModel.StepLosses
        public let batch: Int
    }

    /// The run folder.
    public let run: String
    public let start: Start
    /// A wall-clock budget for the training steps (the judge's one-off training before the first
    /// step is not counted): when it runs out, a checkpoint is written and the run's target becomes
    /// the step it reached, so the run is finished there and `--resume` can go on.
    public let seconds: Double?

    /// The step target of a session with a time budget and no step count.
    public static let unboundedSteps = 1_000_000_000

    public init(run: String, start: Start, seconds: Double? = nil) {
        self.run = run
        self.start = start
        self.seconds = seconds
    }

    /// A new run when the folder holds none, else a resume to `steps` — what a `gan-train` job does
    /// (queued once, resumed after a cancel, raised by "train more").
    public static func newOrResume(
        run: String, data: String, steps: Int, resolution: Int, settings: GANSettings, ngf: Int, ndf: Int,
        kind: GANArchitecture.Kind = .dcgan
    ) -> GANTrainer {
        if FileManager.default.fileExists(atPath: GANRunInfo.path(run)) {
            return GANTrainer(run: run, start: .resume(steps: steps, data: nil))
        }
        var s = settings
        s.steps = steps
        return GANTrainer(run: run, start: .new(data: data, resolution: resolution, settings: s, ngf: ngf, ndf: ndf, kind: kind))
    }

    /// How a session ended.
    public enum Outcome: Sendable, Equatable {
        /// The run reached its target (or already had).
        case finished(step: Int)
        /// Stopped on request before the target; the checkpoint is written.
        case stopped(step: Int)
    }

    /// Runs the session. `progress` is called after every step; `shouldStop` between steps (a
    /// signal handler's flag, a job's cancel); `log` gets the lines worth telling a person.
    public func train(
        progress: (Progress) -> Void = { _ in }, shouldStop: () -> Bool = { false }, log: (String) -> Void = { _ in }
    ) throws(GANError) -> Outcome {
        let (model, data, target) = try prepare()
        let settings = model.info.settings
        let first = model.step
        guard first < target else {
            log("the run is already at step \(first) of \(target); pass a larger --steps to continue")
            return .finished(step: first)
        }
        let judge = try SampleJudge.forRun(run, data: data, seed: settings.seed, log: log)
        let started = Date()
        let deadline = seconds.map { started.addingTimeInterval($0) }
        var sums = (discriminator: 0.0, generator: 0.0, count: 0)
        var latest: [ClassQuality] = []
        /// Checkpoint, sample grid, the judge's measures, one log line, and the warnings.
        func checkpoint() throws(GANError) {
            try model.save(run: run)
            latest = judge.measure(model)
            try appendLossLine(
                step: model.step, sums, quality: latest,
                augmentProbability: settings.augment.adaptive ? model.augmentProbability : nil)
            sums = (0, 0, 0)
            if let warning = ClassQuality.warningLine(latest, classes: data.classes) { log("step \(model.step): warning: \(warning)") }
        }
        defer { if !latest.isEmpty { log(Self.summary(latest, classes: data.classes, step: model.step)) } }
        while model.step < target, !shouldStop(), deadline.map({ Date() < $0 }) ?? true {
            let losses = model.trainStep(on: data)
            sums = (sums.discriminator + Double(losses.discriminator), sums.generator + Double(losses.generator), sums.count + 1)
            let rate = Double(model.step - first) / max(1e-3, Date().timeIntervalSince(started))
            progress(
                Progress(
                    step: model.step, total: target, sessionSteps: model.step - first, stepsPerSecond: rate, losses: losses,
                    batch: settings.batch))
            if model.step % settings.checkpointEvery == 0 || model.step == target { try checkpoint() }
        }
        guard model.step >= target else {
            try checkpoint()
            // The budget ended the session: the run is finished where it is. (A stop before it
            // leaves the target alone: `--resume --seconds N` goes on.)
            guard let deadline, Date() >= deadline, model.step >= 1 else { return .stopped(step: model.step) }
            var info = try GANRunInfo.read(run: run)
            info.settings.steps = model.step
            try info.write(run: run)
            log(String(format: "the %.0f-second budget ran out at step %d", seconds ?? 0, model.step))
            return .finished(step: model.step)
        }
        return .finished(step: model.step)
    }

    /// The model, its data and the step target, for a new or a resumed run.
    private func prepare() throws(GANError) -> (GANModel, TrainingSet, Int) {
        switch start {
        case .resume(let steps, let dataPath):
            let saved = try GANRunInfo.read(run: run)
            var info = saved
            if let steps { info.settings.steps = steps } else if seconds != nil { info.settings.steps = Self.unboundedSteps }
            if let dataPath, URL(fileURLWithPath: dataPath).standardizedFileURL.path != saved.datasetRoot {
                throw GANError(.settings, "the run learns from \(saved.datasetRoot.terminalSafe), not \(dataPath.terminalSafe)")
            }
            let data = try TrainingSet(
                dataset: try Self.read(saved.datasetRoot), resolution: info.architecture.resolution, fit: info.settings.fit)
            guard data.count == saved.imageCount, data.classes == saved.classes else {
                throw GANError(
                    .data,
                    "the dataset changed since the run started (\(saved.imageCount) images in \(saved.classes.count) classes then, \(data.count) in \(data.classes.count) now); start a new run"
                )
            }
            let model = try GANModel.load(run: run)
            if info != saved { try info.write(run: run) }
            return (model, data, info.settings.steps)
        case .new(let dataPath, let resolution, let settings, let ngf, let ndf, let kind):
            if FileManager.default.fileExists(atPath: GANRunInfo.path(run)) {
                throw GANError(.settings, "\(run.terminalSafe) already holds a run: --resume continues it, or choose a new --out")
            }
            try settings.validate()
            let dataset = try Self.read(dataPath)
            let resolution =
                resolution
                ?? GANArchitecture.automaticResolution(
                    width: dataset.samples.first?.width ?? 0, height: dataset.samples.first?.height ?? 0, fit: settings.fit)
            let data = try TrainingSet(dataset: dataset, resolution: resolution, fit: settings.fit)
            let architecture = GANArchitecture(
                kind: kind, resolution: resolution, channels: data.channels, classes: data.classes.count, ngf: ngf, ndf: ndf)
            try architecture.validate()
            let info = GANRunInfo(
                architecture: architecture, settings: settings, classes: data.classes,
                datasetRoot: URL(fileURLWithPath: dataPath).standardizedFileURL.path, imageCount: data.count,
                nativeWidth: data.nativeWidth, nativeHeight: data.nativeHeight)
            try info.write(run: run)
            let model = GANModel(info: info)
            try model.save(run: run)
            return (model, data, settings.steps)
        }
    }

    static func read(_ root: String) throws(GANError) -> Dataset {
        do { return try DatasetIO.read(root) } catch { throw GANError(.data, error.description) }
    }

    /// The judge's verdict on the last checkpoint in one line.
    static func summary(_ quality: [ClassQuality], classes: [String], step: Int) -> String {
        let collapsed = quality.indices.filter { quality[$0].collapsed }.map { classes[$0].terminalSafe }
        let offClass = quality.indices.filter { quality[$0].offClass }.map { classes[$0].terminalSafe }
        let diverse = quality.indices.filter { quality[$0].diversity.isFinite }
        let lowestDiversity = diverse.min { quality[$0].diversity < quality[$1].diversity }
        let lowestFidelity = quality.indices.min { quality[$0].fidelity < quality[$1].fidelity }
        var parts: [String] = []
        if let c = lowestDiversity {
            parts.append(String(format: "lowest diversity %.2f× (class %@)", quality[c].diversity, classes[c].terminalSafe))
        }
        if let c = lowestFidelity {
            parts.append(String(format: "lowest fidelity %.0f%% (class %@)", quality[c].fidelity * 100, classes[c].terminalSafe))
        }
        let verdict =
            collapsed.isEmpty && offClass.isEmpty
            ? "every class varies and looks like itself"
            : ([
                collapsed.isEmpty ? nil : "collapsed: " + collapsed.joined(separator: ", "),
                offClass.isEmpty ? nil : "drawn as another class: " + offClass.joined(separator: ", "),
            ].compactMap { $0 }.joined(separator: "; "))
        return "samples at step \(step): \(verdict); " + parts.joined(separator: ", ")
    }

    /// One line of `RUN/log.jsonl` per checkpoint: the mean losses since the last one and the
    /// judge's diversity and fidelity per class (the Train screen draws them). Appended with one
    /// write, so a line is never half there.
    private func appendLossLine(
        step: Int, _ sums: (discriminator: Double, generator: Double, count: Int), quality: [ClassQuality],
        augmentProbability: Float?
    ) throws(GANError) {
        guard sums.count > 0 else { return }
        let line =
            JSONValue.object(
                [
                    ("step", .int(step)), ("discriminator", .double((sums.discriminator / Double(sums.count) * 1e4).rounded() / 1e4)),
                    ("generator", .double((sums.generator / Double(sums.count) * 1e4).rounded() / 1e4)),
                ] + SampleJudge.json(quality)
                    + (augmentProbability.map { [("augment_probability", JSONValue.double((Double($0) * 1e4).rounded() / 1e4))] } ?? [])
            ).serialized() + "\n"
        do {
            try FileIO.append(Array(line.utf8), to: "\(run)/log.jsonl", durable: false)
        } catch {
            throw GANError(.io, "cannot write \(run.terminalSafe)/log.jsonl: \(error.message)")
        }
    }
}
