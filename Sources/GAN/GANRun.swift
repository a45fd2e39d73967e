internal import Datasets
internal import Foundation
internal import ImageIO
public import NeuralNet
public import StudioCore

/// How a GAN is trained; recorded in `run.json` so `--resume` continues with the same settings.
public struct GANSettings: Sendable, Equatable {
    public enum LossKind: String, Sendable, CaseIterable {
        /// Non-saturating BCE with logits (DCGAN).
        case bce
        case hinge
    }

    public var batch = 64
    public var steps = 2000
    public var seed: UInt64 = 1
    public var loss = LossKind.bce
    /// The generator's learning rate, and the discriminator's unless `discriminatorLearningRate`
    /// says otherwise.
    public var learningRate: Float = 2e-4
    /// The discriminator's own learning rate (two time-scale update rule), nil for `learningRate`.
    public var discriminatorLearningRate: Float?
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    public var discriminatorRate: Float { discriminatorLearningRate ?? learningRate }
    /// Off by default: on the sample digits (1,147 images, 15 of class 7) every fixed DiffAugment
    /// policy tried made the discriminator too weak and the generator collapse to one image per
    /// class; `ada` (adaptive) is there for classes of a few dozen images where the
    /// discriminator memorizes, and stays near zero where it does not.
    public var augment = DiffAugment([])
    /// Steps between checkpoints (and sample grids).
    public var checkpointEvery = 250
    /// Decay of the exponential moving average of the generator's weights that samples, grids and
    /// the judge use (0: off, the generator as trained). Warmed up: the decay at step t is at most
    /// (1 + t) / (10 + t), so a short run's average is not stuck at the initial weights. New runs
    /// keep one; a run.json without `ema` (written before it existed) has none.
    public var ema: Float = 0.999
    /// How images that are not square become the networks' square (`--fit`). A run.json without
    /// `fit` (written before it existed) stretched them.
    public var fit = ImageFit.stretch
    /// Weight of the mode-seeking term (`Loss.modeSeeking`, `--mode-seeking`) in the generator's
    /// loss; 0 (the default) leaves it out. With it, every batch is pairs: its second half asks
    /// for the first half's classes from other noise. A run.json without `mode_seeking` has none.
    public var modeSeeking: Float = 0

    public init() {}

    /// The settings a new run of `kind` starts from. The residual networks take the hinge loss
    /// and SNGAN's Adam (β₁ 0, β₂ 0.9) at twice DCGAN's learning rate: on Fashion-MNIST at 32 px,
    /// at the steps five minutes buy, TSTR/TRTR rose from 0.50 (2·10⁻⁴, β₁ 0.5) to 0.65, with the
    /// digits' unchanged (docs/GAN.md, "What the learning rate does"). They also take the
    /// mode-seeking term at 0.3, which kept every class varied on both datasets (docs/GAN.md,
    /// "What the mode-seeking term does").
    public init(for kind: GANArchitecture.Kind) {
        self.init()
        if kind == .resnet {
            loss = .hinge
            learningRate = Self.residualLearningRate
            beta1 = 0
            beta2 = 0.9
            modeSeeking = Self.residualModeSeeking
        }
    }

    public static let residualLearningRate: Float = 4e-4
    public static let residualModeSeeking: Float = 0.3

    public func validate() throws(GANError) {
        guard batch >= 2 else { throw GANError(.settings, "--batch must be at least 2 (batch norm needs two images)") }
        guard batch <= 4096 else { throw GANError(.settings, "--batch \(batch) is too large (at most 4096)") }
        guard steps >= 1 else { throw GANError(.settings, "--steps must be at least 1") }
        guard checkpointEvery >= 1 else { throw GANError(.settings, "the checkpoint interval must be at least 1") }
        guard learningRate > 0, learningRate.isFinite, discriminatorRate > 0, discriminatorRate.isFinite else {
            throw GANError(.settings, "learning rates must be positive")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw GANError(.settings, "Adam's betas must be at least 0 and below 1")
        }
        guard ema == 0 || (ema > 0 && ema < 1) else { throw GANError(.settings, "--ema must be 0 (off) or between 0 and 1, e.g. 0.999") }
        guard modeSeeking >= 0, modeSeeking.isFinite else { throw GANError(.settings, "--mode-seeking must be 0 (off) or positive") }
        guard modeSeeking == 0 || batch % 2 == 0 else {
            throw GANError(
                .settings, "--batch \(batch) must be even: the mode-seeking term pairs a batch's images (--mode-seeking 0 turns it off)")
        }
    }
}

/// A run folder: `run.json` (architecture, settings, classes, the dataset it learns from),
/// `checkpoint.safetensors` (the latest state, replaced atomically), `samples/step-NNNNNN.png`
/// (a fixed-noise grid per checkpoint: one row per class).
public struct GANRunInfo: Sendable, Equatable {
    public static let format = "synthstudio-gan-run/1"
    public var architecture: GANArchitecture
    public var settings: GANSettings
    public var classes: [String]
    public var datasetRoot: String
    public var imageCount: Int
    public var nativeWidth: Int
    public var nativeHeight: Int

    public init(
        architecture: GANArchitecture, settings: GANSettings, classes: [String], datasetRoot: String, imageCount: Int, nativeWidth: Int,
        nativeHeight: Int
    ) {
        self.architecture = architecture
        self.settings = settings
        self.classes = classes
        self.datasetRoot = datasetRoot
        self.imageCount = imageCount
        self.nativeWidth = nativeWidth
        self.nativeHeight = nativeHeight
    }

    public static func path(_ run: String) -> String { "\(run)/run.json" }

    /// The shortest decimal that reads back as the same Float (2e-4, not 0.000199999994…).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// `target` as seen from `folder` (`../../real/digits`), or nil when they share nothing but `/`.
    static func relative(from folder: String, to target: String) -> String? {
        let a = folder.split(separator: "/"), b = target.split(separator: "/")
        var common = 0
        while common < min(a.count, b.count), a[common] == b[common] { common += 1 }
        guard common > 0 else { return nil }
        let parts = Array(repeating: "..", count: a.count - common) + b[common...].map(String.init)
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
    public static func checkpointPath(_ run: String) -> String { "\(run)/checkpoint.safetensors" }

    public func json() -> JSONValue {
        let a = architecture
        let s = settings
        var training: [(String, JSONValue)] = [
            ("batch", .int(s.batch)), ("steps", .int(s.steps)), ("seed", .string(String(s.seed))), ("loss", .string(s.loss.rawValue)),
            ("learning_rate", .double(Self.decimal(s.learningRate))),
        ]
        if let rate = s.discriminatorLearningRate { training.append(("learning_rate_discriminator", .double(Self.decimal(rate)))) }
        training += [
            ("beta1", .double(Self.decimal(s.beta1))), ("beta2", .double(Self.decimal(s.beta2))),
            ("augment", .array(s.augment.operations.map { .string($0.rawValue) })),
        ]
        if s.augment.adaptive {
            training += [("augment_adaptive", .bool(true)), ("augment_target", .double(Self.decimal(s.augment.target)))]
        }
        training.append(("checkpoint_every", .int(s.checkpointEvery)))
        if s.ema > 0 { training.append(("ema", .double(Self.decimal(s.ema)))) }
        if s.modeSeeking > 0 { training.append(("mode_seeking", .double(Self.decimal(s.modeSeeking)))) }
        training.append(("fit", .string(s.fit.rawValue)))
        return .object([
            ("format", .string(Self.format)),
            (
                "architecture",
                .object([
                    ("kind", .string(a.kind.rawValue)), ("resolution", .int(a.resolution)), ("channels", .int(a.channels)),
                    ("classes", .int(a.classes)), ("latent", .int(a.latent)), ("embedding", .int(a.embedding)), ("ngf", .int(a.ngf)),
                    ("ndf", .int(a.ndf)), ("discriminator", .string("projection")),
                ])
            ),
            ("training", .object(training)),
            ("classes", .array(classes.map { .string($0) })),
            (
                "dataset",
                .object([
                    ("root", .string(relativeRoot ?? datasetRoot)), ("images", .int(imageCount)), ("native_width", .int(nativeWidth)),
                    ("native_height", .int(nativeHeight)),
                ])
            ),
        ])
    }

    /// How the run is made, in short phrases for a person (the Train screen lists them):
    /// `ResNet 16 px`, `width 32/32`, `hinge loss`, `Adam 0.0004 (0, 0.9)`, `ADA`, `EMA 0.999`,
    /// `mode-seeking 0.3`, `batch 64`.
    public var recipe: [String] {
        let a = architecture, s = settings
        var parts = [
            "\(a.kind == .resnet ? "ResNet" : "DCGAN") \(a.resolution) px", "width \(a.ngf)/\(a.ndf)",
            "\(s.loss.rawValue) loss", String(format: "Adam %g (%g, %g)", s.learningRate, s.beta1, s.beta2),
        ]
        if let rate = s.discriminatorLearningRate { parts.append(String(format: "D at %g", rate)) }
        if s.augment.adaptive {
            parts.append("ADA")
        } else if !s.augment.operations.isEmpty {
            parts.append("DiffAugment " + s.augment.operations.map(\.rawValue).joined(separator: ","))
        }
        if s.ema > 0 { parts.append(String(format: "EMA %g", s.ema)) }
        if s.modeSeeking > 0 { parts.append(String(format: "mode-seeking %g", s.modeSeeking)) }
        parts.append("batch \(s.batch)")
        return parts
    }

    /// Set while writing: the dataset's path relative to the run folder, so a workspace that is
    /// moved or cloned elsewhere keeps its runs pointing at their data.
    private var relativeRoot: String?

    public func write(run: String) throws(GANError) {
        var copy = self
        copy.relativeRoot = Self.relative(from: Self.absolute(run), to: Self.absolute(datasetRoot))
        do {
            try FileIO.createDirectory(run)
            try FileIO.writeAtomically(Array((copy.json().pretty() + "\n").utf8), to: Self.path(run))
        } catch {
            throw GANError(.io, "cannot write \(Self.path(run).terminalSafe): \(error.message)")
        }
    }

    public static func read(run: String) throws(GANError) -> GANRunInfo {
        let path = path(run)
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, limit: 1 << 20) } catch {
            throw GANError(.checkpoint, "\(run.terminalSafe) is not a GAN run: \(error.message)")
        }
        func fail(_ what: String) -> GANError { GANError(.checkpoint, "\(path.terminalSafe): \(what)") }
        guard let root = try? JSONReader.parse(bytes), root.members != nil else { throw fail("not a JSON object") }
        guard root["format"]?.string == format else { throw fail("format is not \(format)") }
        guard let a = root["architecture"], a.members != nil, let t = root["training"], t.members != nil,
            let d = root["dataset"], d.members != nil, let names = root["classes"], names.array != nil
        else { throw fail("architecture, training, dataset or classes missing") }
        guard let classes = names.strings else { throw fail("classes must be strings") }
        func int(_ o: JSONValue, _ key: String) throws(GANError) -> Int {
            guard let n = o[key]?.integer else { throw fail("\(key) must be an integer") }
            return n
        }
        func float(_ o: JSONValue, _ key: String) throws(GANError) -> Float {
            guard let n = o[key]?.number else { throw fail("\(key) must be a number") }
            return Float(n)
        }
        // Written by every version; a hand-made run.json without it means the DCGAN.
        guard let kind = a["kind"] == nil ? .dcgan : a["kind"]?.string.flatMap(GANArchitecture.Kind.init(rawValue:)) else {
            throw fail("architecture.kind must be conditional-dcgan or conditional-resnet")
        }
        let architecture = GANArchitecture(
            kind: kind, resolution: try int(a, "resolution"), channels: try int(a, "channels"), classes: try int(a, "classes"),
            latent: try int(a, "latent"), embedding: try int(a, "embedding"), ngf: try int(a, "ngf"), ndf: try int(a, "ndf"))
        try architecture.validate()
        guard architecture.classes == classes.count else {
            throw fail("classes lists \(classes.count) names for \(architecture.classes) classes")
        }
        var settings = GANSettings()
        settings.batch = try int(t, "batch")
        settings.steps = try int(t, "steps")
        guard let seedText = t["seed"]?.string, let seed = UInt64(seedText) else { throw fail("seed must be a decimal string") }
        settings.seed = seed
        guard let loss = t["loss"]?.string.flatMap(GANSettings.LossKind.init) else { throw fail("loss must be bce or hinge") }
        settings.loss = loss
        settings.learningRate = try float(t, "learning_rate")
        if t["learning_rate_discriminator"] != nil { settings.discriminatorLearningRate = try float(t, "learning_rate_discriminator") }
        settings.beta1 = try float(t, "beta1")
        settings.beta2 = try float(t, "beta2")
        let operations = t["augment"]?.array?.map { $0.string.flatMap(DiffAugment.Operation.init) }
        guard let operations, operations.allSatisfy({ $0 != nil }) else { throw fail("augment must list color, translation, cutout") }
        settings.augment = DiffAugment(operations.compactMap { $0 })
        if case .bool(true)? = t["augment_adaptive"] {
            settings.augment.adaptive = true
            let target = try float(t, "augment_target")
            guard target > 0, target < 1 else { throw fail("augment_target must be between 0 and 1") }
            settings.augment.target = target
        }
        settings.checkpointEvery = try int(t, "checkpoint_every")
        settings.ema = t["ema"] == nil ? 0 : try float(t, "ema")
        settings.modeSeeking = t["mode_seeking"] == nil ? 0 : try float(t, "mode_seeking")
        if let fit = t["fit"] {
            guard let value = fit.string.flatMap(ImageFit.init) else { throw fail("fit must be stretch, pad or crop") }
            settings.fit = value
        }
        try settings.validate()
        guard let written = d["root"]?.string else { throw fail("dataset.root missing") }
        // Sizes a sample is made at, checked before anything is allocated for them.
        let (nativeWidth, nativeHeight) = (try int(d, "native_width"), try int(d, "native_height"))
        guard (1...Self.largestNativeSide).contains(nativeWidth), (1...Self.largestNativeSide).contains(nativeHeight) else {
            throw fail("native size \(nativeWidth)×\(nativeHeight) is impossible (1…\(Self.largestNativeSide) on each side)")
        }
        guard classes.count <= Self.mostClasses else { throw fail("\(classes.count) classes; at most \(Self.mostClasses)") }
        let datasetRoot = written.hasPrefix("/") || written.isEmpty ? written : absolute("\(run)/\(written)")
        return GANRunInfo(
            architecture: architecture, settings: settings, classes: classes, datasetRoot: datasetRoot, imageCount: try int(d, "images"),
            nativeWidth: nativeWidth, nativeHeight: nativeHeight)
    }

    /// The largest side a run's samples are written at.
    public static let largestNativeSide = 4096
    /// The most classes a run may have.
    public static let mostClasses = 10_000
}

/// The generator and discriminator of a run with their optimizers and random stream: everything
/// a checkpoint holds, so training resumes bit for bit.
public final class GANModel {
    public let info: GANRunInfo
    public let generator: any ConditionalGenerator
    /// The moving average of the generator's weights (its batch-norm statistics copied from the
    /// generator), when the run keeps one.
    public let averageGenerator: (any ConditionalGenerator)?
    public let discriminator: any ConditionalDiscriminator
    let generatorOptimizer: Adam
    let discriminatorOptimizer: Adam
    /// Draws batches, labels, noise and augmentations, in that order, step after step.
    var random: RandomStream
    public private(set) var step = 0
    /// The adaptive augmentation's current probability (0 at the start; 1, unused, when fixed).
    public private(set) var augmentProbability: Float

    public init(info: GANRunInfo) {
        ProcessMemory.keepFreedBuffers()
        self.info = info
        var initial = RandomStream(seed: info.settings.seed).derived(1)
        generator = info.architecture.makeGenerator(random: &initial)
        discriminator = info.architecture.makeDiscriminator(random: &initial)
        if info.settings.ema > 0 {
            var unused = RandomStream(seed: 0)
            let average = info.architecture.makeGenerator(random: &unused)
            for (target, source) in zip(average.parameters + average.buffers, generator.parameters + generator.buffers) {
                target.parameter.value = source.parameter.value
            }
            averageGenerator = average
        } else {
            averageGenerator = nil
        }
        let s = info.settings
        generatorOptimizer = Adam(generator.parameters, learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2)
        discriminatorOptimizer = Adam(discriminator.parameters, learningRate: s.discriminatorRate, beta1: s.beta1, beta2: s.beta2)
        random = RandomStream(seed: info.settings.seed).derived(2)
        augmentProbability = s.augment.adaptive ? 0 : 1
    }

    /// Losses of one training step.
    public struct StepLosses: Sendable {
        public var discriminator: Float
        public var generator: Float
        /// The adaptive augmentation's probability after the step (1 when fixed or off).
        public var augmentProbability: Float = 1
    }

    /// One discriminator update then one generator update on a class-balanced batch: classes
    /// drawn uniformly, so a class with 15 images is learned as much as one with 150.
    public func trainStep(on data: TrainingSet) -> StepLosses {
        let s = info.settings
        let a = info.architecture
        let labels = Self.labels(batch: s.batch, classes: a.classes, paired: s.modeSeeking > 0, random: &random)
        let indices = labels.map { data.byClass[$0][Int(random.next() % UInt64(data.byClass[$0].count))] }
        let real = data.images.gathering(indices)
        let noise = Tensor(shape: [s.batch, a.latent], storage: (0..<(s.batch * a.latent)).map { _ in Float(random.nextNormal()) })
        return trainStep(real: real, labels: labels, noise: noise)
    }

    /// A batch's classes, drawn uniformly; `paired` (the mode-seeking term) repeats the first
    /// half's in the second.
    package static func labels(batch: Int, classes: Int, paired: Bool, random: inout RandomStream) -> [Int] {
        let drawn = (0..<(paired ? batch / 2 : batch)).map { _ in Int(random.next() % UInt64(classes)) }
        return paired ? drawn + drawn : drawn
    }

    /// One step on a given batch: real images, their labels (the fakes' too) and the fakes'
    /// noise (augmentations are still drawn from the run's stream). For comparing a step with
    /// PyTorch's on the same inputs.
    package func trainStep(real: Tensor, labels: [Int], noise: Tensor) -> StepLosses {
        let s = info.settings
        let a = info.architecture
        let fake = generator.forward(noise: noise, labels: labels, training: true)

        discriminatorOptimizer.zeroGradients()
        var discriminatorLoss: Float = 0
        var positiveShare: Float = 0
        for (images, isReal) in [(real, true), (fake, false)] {
            let plan = s.augment.plan(batch: s.batch, resolution: a.resolution, probability: augmentProbability, random: &random)
            let logits = discriminator.forward(s.augment.apply(images, plan), labels: labels, training: true)
            if isReal { positiveShare = Float(logits.storage.filter { $0 > 0 }.count) / Float(max(1, logits.count)) }
            let loss =
                s.loss == .bce
                ? Loss.binaryCrossEntropyWithLogits(logits, target: isReal ? 1 : 0) : Loss.hingeDiscriminator(logits, real: isReal)
            discriminatorLoss += loss.value
            _ = discriminator.backward(loss.gradient, imageGradient: false)
        }
        discriminatorOptimizer.update()

        generatorOptimizer.zeroGradients()
        let plan = s.augment.plan(batch: s.batch, resolution: a.resolution, probability: augmentProbability, random: &random)
        let logits = discriminator.forward(s.augment.apply(fake, plan), labels: labels, training: true)
        let loss = s.loss == .bce ? Loss.binaryCrossEntropyWithLogits(logits, target: 1) : Loss.hingeGenerator(logits)
        var imageGradient = s.augment.backward(discriminator.backward(loss.gradient, imageGradient: true), plan)
        if s.modeSeeking > 0 { imageGradient += Loss.modeSeeking(images: fake, noise: noise, weight: s.modeSeeking).gradient }
        generator.backward(imageGradient)
        generatorOptimizer.update()
        step += 1
        if let average = averageGenerator {
            let decay = min(s.ema, Float(1 + step) / Float(10 + step))
            for (target, source) in zip(average.parameters, generator.parameters) {
                let live = source.parameter.value.storage
                var mixed = target.parameter.value
                mixed.storage.withUnsafeMutableBufferPointer { out in
                    for i in out.indices { out[i] = decay * out[i] + (1 - decay) * live[i] }
                }
                target.parameter.value = mixed
            }
            for (target, source) in zip(average.buffers, generator.buffers) { target.parameter.value = source.parameter.value }
        }
        augmentProbability = s.augment.adjusted(augmentProbability, positiveShare: positiveShare, batch: s.batch)
        return StepLosses(discriminator: discriminatorLoss, generator: loss.value, augmentProbability: augmentProbability)
    }

    /// Images of the given classes from the given noise, in evaluation mode (running statistics).
    public func generate(noise: Tensor, labels: [Int]) -> Tensor {
        (averageGenerator ?? generator).forward(noise: noise, labels: labels, training: false)
    }

    // MARK: Checkpoints

    /// Every tensor of the state under its checkpoint name.
    private var namedState: [(name: String, parameter: Parameter, dtype: SafeTensors.DType)] {
        func entries(_ prefix: String, _ list: [(name: String, parameter: Parameter)]) -> [(String, Parameter, SafeTensors.DType)] {
            list.map { ("\(prefix).\($0.name)", $0.parameter, $0.name.hasSuffix("num_batches_tracked") ? .i64 : .f32) }
        }
        return entries("generator", generator.parameters + generator.buffers)
            + (averageGenerator.map { entries("generator_ema", $0.parameters + $0.buffers) } ?? [])
            + entries("discriminator", discriminator.parameters + discriminator.buffers)
    }

    /// Adam's moments: (checkpoint name, optimizer, parameter index, first or second moment).
    private var optimizerSlots: [(name: String, optimizer: Adam, index: Int, first: Bool)] {
        [("generator", generatorOptimizer), ("discriminator", discriminatorOptimizer)].flatMap { prefix, optimizer in
            optimizer.parameters.enumerated().flatMap { i, entry in
                [
                    ("optimizer.\(prefix).\(entry.name).exp_avg", optimizer, i, true),
                    ("optimizer.\(prefix).\(entry.name).exp_avg_sq", optimizer, i, false),
                ]
            }
        }
    }

    private static func moment(_ slot: (name: String, optimizer: Adam, index: Int, first: Bool)) -> Tensor {
        slot.first ? slot.optimizer.firstMoments[slot.index] : slot.optimizer.secondMoments[slot.index]
    }

    /// The checkpoint's bytes: weights (PyTorch names, loadable with `safetensors.torch`),
    /// optimizer moments, and in the metadata the step, Adam's step and the random stream.
    public func checkpoint() -> [UInt8] {
        var entries = namedState.map { SafeTensors.Entry(name: $0.name, tensor: $0.parameter.value, dtype: $0.dtype) }
        entries += optimizerSlots.map { SafeTensors.Entry(name: $0.name, tensor: Self.moment($0)) }
        return SafeTensors.encode(
            entries,
            metadata: [
                ("format", GANRunInfo.format), ("step", String(step)), ("random_state", String(random.state)),
                ("generator_adam_step", String(generatorOptimizer.step)),
                ("discriminator_adam_step", String(discriminatorOptimizer.step)),
                ("architecture", info.json().serialized()),
            ] + (info.settings.augment.adaptive ? [("augment_probability", String(augmentProbability))] : []))
    }

    /// Restores a checkpoint, refusing one whose tensors do not fit these networks.
    public func restore(_ bytes: [UInt8]) throws(GANError) {
        let decoded: (entries: [SafeTensors.Entry], metadata: [String: String])
        do { decoded = try SafeTensors.decode(bytes) } catch {
            throw GANError(.checkpoint, "the checkpoint is damaged: \(error.description)")
        }
        let byName = Dictionary(decoded.entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        func tensor(_ name: String, like expected: Tensor) throws(GANError) -> Tensor {
            guard let found = byName[name] else {
                throw GANError(.checkpoint, "the checkpoint has no \(name.terminalSafe): it was written for another architecture")
            }
            guard found.shape == expected.shape else {
                throw GANError(
                    .checkpoint,
                    "the checkpoint's \(name.terminalSafe) has shape \(found.shape), this run expects \(expected.shape): it was written for another architecture"
                )
            }
            return found
        }
        guard let step = decoded.metadata["step"].flatMap(Int.init), let state = decoded.metadata["random_state"].flatMap(UInt64.init),
            let generatorStep = decoded.metadata["generator_adam_step"].flatMap(Int.init),
            let discriminatorStep = decoded.metadata["discriminator_adam_step"].flatMap(Int.init)
        else { throw GANError(.checkpoint, "the checkpoint lacks its step or random state (not written by synthstudio gan train)") }
        var probability: Float = 1
        if info.settings.augment.adaptive {
            guard let p = decoded.metadata["augment_probability"].flatMap(Float.init), (0...1).contains(p) else {
                throw GANError(.checkpoint, "the checkpoint lacks the adaptive augmentation's probability (written without --augment ada)")
            }
            probability = p
        }
        // Check everything before changing anything.
        let states = try namedState.map { entry throws(GANError) in (entry.parameter, try tensor(entry.name, like: entry.parameter.value)) }
        let moments = try optimizerSlots.map { slot throws(GANError) in (slot, try tensor(slot.name, like: Self.moment(slot))) }
        for (parameter, value) in states { parameter.value = value }
        for (slot, value) in moments {
            if slot.first { slot.optimizer.firstMoments[slot.index] = value } else { slot.optimizer.secondMoments[slot.index] = value }
        }
        self.step = step
        random = RandomStream(seed: state)
        generatorOptimizer.step = generatorStep
        discriminatorOptimizer.step = discriminatorStep
        augmentProbability = probability
    }

    /// Loads a run folder's latest checkpoint.
    public static func load(run: String) throws(GANError) -> GANModel {
        let info = try GANRunInfo.read(run: run)
        let model = GANModel(info: info)
        let path = GANRunInfo.checkpointPath(run)
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch {
            throw GANError(.io, "cannot read the checkpoint \(path.terminalSafe): \(error.message)")
        }
        try model.restore(bytes)
        return model
    }

    /// Writes the checkpoint and this step's sample grid into the run folder, each atomically.
    public func save(run: String) throws(GANError) {
        do {
            try FileIO.createDirectory("\(run)/samples")
            try FileIO.writeAtomically(checkpoint(), to: GANRunInfo.checkpointPath(run))
            try ImageFile.write(sampleGrid(), to: "\(run)/samples/" + String(format: "step-%06d.png", step))
        } catch {
            throw GANError(.io, "cannot write the checkpoint into \(run.terminalSafe): \(error.message)")
        }
    }

    /// One row per class, eight columns of fixed noise (the same noise in every row, so rows
    /// differ by class alone), upscaled to at least 32 px per cell.
    public func sampleGrid(columns: Int = 8) -> Image {
        let a = info.architecture
        var fixed = RandomStream(seed: info.settings.seed).derived(3)
        let noise = (0..<(columns * a.latent)).map { _ in Float(fixed.nextNormal()) }
        let labels = (0..<a.classes).flatMap { Array(repeating: $0, count: columns) }
        let images = generate(
            noise: Tensor(shape: [labels.count, a.latent], storage: (0..<a.classes).flatMap { _ in noise }), labels: labels)
        return GridImage.make(images, columns: columns, scale: max(1, 32 / a.resolution))
    }
}

/// Tiles of `(N, C, R, R)` images in [-1, 1] as one 8-bit picture with 2-px gaps.
enum GridImage {
    static func make(_ images: Tensor, columns: Int, scale: Int) -> Image {
        let (n, c, r) = (images.shape[0], images.shape[1], images.shape[2])
        let rows = (n + columns - 1) / columns
        let cell = r * scale + 2
        let (width, height) = (columns * cell + 2, rows * cell + 2)
        var pixels = [UInt8](repeating: 40, count: width * height * c)
        for i in 0..<n {
            let (ox, oy) = ((i % columns) * cell + 2, (i / columns) * cell + 2)
            for y in 0..<(r * scale) {
                for x in 0..<(r * scale) {
                    for ch in 0..<c {
                        let v = images.storage[((i * c + ch) * r + y / scale) * r + x / scale]
                        pixels[((oy + y) * width + ox + x) * c + ch] = toByte(v)
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: c == 3 ? .rgb : .gray, pixels: .eight(pixels))
    }

    /// [-1, 1] → 0…255, rounded.
    static func toByte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, ((v + 1) * 127.5).rounded()))) }
}

extension GANModel {
    /// One image of class `classIndex` from its own noise (drawn from `stream`), generated alone
    /// and brought back to the training data's native size (its aspect, for `--fit pad`; its
    /// shorter side, for `--fit crop`): 8-bit, gray or RGB. Deterministic in the stream, so image
    /// `i` of a seed is the same in every run, shard and resume.
    public func sample(classIndex: Int, stream: inout RandomStream) -> Image {
        let a = info.architecture
        let noise = Tensor(shape: [1, a.latent], storage: (0..<a.latent).map { _ in Float(stream.nextNormal()) })
        let image = generate(noise: noise, labels: [classIndex])
        let fit = info.settings.fit
        let (width, height) = fit.outputSize(width: info.nativeWidth, height: info.nativeHeight)
        let content = fit.content(width: width, height: height, side: a.resolution)
        let plane = a.resolution * a.resolution
        var pixels = [UInt8](repeating: 0, count: width * height * a.channels)
        for c in 0..<a.channels {
            let resized = Resample.resize(
                Resample.cut(image.storage[c * plane..<(c + 1) * plane], stride: a.resolution, content), width: content.width,
                height: content.height, toWidth: width, toHeight: height)
            for (p, v) in resized.enumerated() { pixels[p * a.channels + c] = GridImage.toByte(v) }
        }
        return Image(width: width, height: height, layout: a.channels == 3 ? .rgb : .gray, pixels: .eight(pixels))
    }
}
