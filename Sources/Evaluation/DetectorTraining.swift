internal import ImageIO
internal import NeuralNet
internal import StudioCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// How the detector is trained: the same for every training mix, so the mixes differ only in data.
public struct DetectorSettings: Sendable, Equatable {
    /// Network input size; multiples of 16.
    public var inputWidth = 256
    public var inputHeight = 192
    public var steps = 1500
    public var batch = 16
    public var learningRate: Float = 2e-3
    /// Channel width of the network (16 → 16, 32, 64, 96 channels by stage).
    public var channels = 16
    /// Flips, scale jitter (0.7–1.4×) and colour jitter (brightness, contrast, saturation).
    public var augment = true
    public var seed: UInt64 = 1
    public var checkpointEvery = 100

    public init() {}

    public func validate() throws(EvaluationError) {
        guard inputWidth % 16 == 0, inputHeight % 16 == 0, (64...1024).contains(inputWidth), (64...1024).contains(inputHeight) else {
            throw EvaluationError(
                .settings, "input size \(inputWidth)×\(inputHeight): each side must be a multiple of 16 between 64 and 1024")
        }
        guard steps >= 1, (1...256).contains(batch), (4...64).contains(channels), learningRate > 0 else {
            throw EvaluationError(.settings, "steps must be ≥ 1, batch 1–256, channels 4–64, learning rate > 0")
        }
    }

    /// What a checkpoint must match to be resumed.
    var key: String {
        "\(inputWidth)x\(inputHeight) steps \(steps) batch \(batch) lr \(learningRate) ch \(channels) aug \(augment) seed \(seed)"
    }
}

/// Trains one detector on a set of images, with checkpoints so a stopped run resumes.
public final class DetectorTraining {
    public let settings: DetectorSettings
    public let detector: Detector
    let optimizer: Adam
    public private(set) var step = 0
    let data: [DetectionImages.Item]
    let cumulativeWeights: [Double]

    /// `data` may join several datasets (real + synthetic); all at `settings`' input size.
    public init(classes: Int, data: [DetectionImages.Item], settings: DetectorSettings) {
        self.settings = settings
        var random = RandomStream(seed: settings.seed).derived(1)
        detector = Detector(classes: classes, width: settings.channels, random: &random)
        optimizer = Adam(detector.parameters, learningRate: settings.learningRate)
        self.data = data
        cumulativeWeights = Self.balancedWeights(data, classes: classes).reduce(into: []) { $0.append(($0.last ?? 0) + $1) }
        var boxes = StableHash()
        for item in data {
            for b in item.boxes { boxes.combine("\(item.sample) \(b.category) \(b.x) \(b.y) \(b.width) \(b.height) \(b.ignore)") }
        }
        dataKey = "\(classes) classes, \(data.count) images, boxes \(boxes.hex(12))"
    }

    /// What a checkpoint must have been trained on to be resumed: the class count, the images
    /// and every box (another dataset in the same folder starts over instead of continuing).
    let dataKey: String

    /// Starts from another detector's weights and statistics (fine-tuning), with a fresh optimizer.
    func start(from other: Detector) {
        for ((_, mine), (_, theirs)) in zip(detector.parameters + detector.buffers, other.parameters + other.buffers) {
            mine.value = theirs.value
        }
    }

    /// Repeat-factor sampling (as LVIS trains): an image is drawn in proportion to
    /// max over its classes of max(1, √(t / f)), f the share of images showing the class, t = 0.25,
    /// so images of rare classes come up several times as often.
    static func balancedWeights(_ data: [DetectionImages.Item], classes: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classes)
        for item in data { for c in Set(item.boxes.filter { !$0.ignore }.map(\.category)) { counts[c] += 1 } }
        let n = Double(max(1, data.count))
        let factor = counts.map { $0 == 0 ? 1 : max(1, (0.25 / (Double($0) / n)).squareRoot()) }
        return data.map { item in item.boxes.filter { !$0.ignore }.map { factor[$0.category] }.max() ?? 1 }
    }

    func learningRate(at step: Int) -> Float {
        let warmup = max(1, min(100, settings.steps / 10))
        if step < warmup { return settings.learningRate * Float(step + 1) / Float(warmup) }
        let t = Float(step - warmup) / Float(max(1, settings.steps - warmup))
        return settings.learningRate * (0.1 + 0.9 * 0.5 * (1 + cosf(.pi * t)))
    }

    /// One step on a drawn batch; returns the loss. Deterministic in (seed, step).
    @discardableResult
    public func trainStep() -> Float {
        var random = RandomStream(seed: settings.seed).derived(UInt64(1000 + step))
        let total = cumulativeWeights.last ?? 0
        let picks = (0..<settings.batch).map { _ in
            let u = random.nextUnit() * total
            var lo = 0
            var hi = cumulativeWeights.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulativeWeights[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
        let streams = picks.indices.map { random.derived(UInt64($0)) }
        let (w, h) = (settings.inputWidth, settings.inputHeight)
        let prepared = Parallel.map(picks.count) { i in
            var stream = streams[i]
            return Augmentation.apply(data[picks[i]], width: w, height: h, augment: settings.augment, random: &stream)
        }
        let input = Tensor(shape: [picks.count, 3, h, w], storage: prepared.flatMap(\.input))
        optimizer.learningRate = learningRate(at: step)
        optimizer.zeroGradients()
        let output = detector.forward(input, training: true)
        let loss = CenterTargets.loss(output, boxes: prepared.map(\.boxes))
        detector.backward(loss.gradient)
        optimizer.update()
        step += 1
        return loss.value
    }

    /// Boxes found in each item (network pixels), highest score first.
    public static func detect(
        _ detector: Detector, _ items: [DetectionImages.Item], width: Int, height: Int, batch: Int = 16
    ) -> [[(box: LabelledBox, score: Float)]] {
        var results: [[(box: LabelledBox, score: Float)]] = []
        for start in stride(from: 0, to: items.count, by: batch) {
            let part = Array(items[start..<min(items.count, start + batch)])
            let inputs = part.map { Augmentation.normalized($0.pixels) }
            let output = detector.forward(Tensor(shape: [part.count, 3, height, width], storage: inputs.flatMap { $0 }), training: false)
            for i in part.indices { results.append(CenterTargets.decode(output, item: i)) }
        }
        return results
    }

    // MARK: - Checkpoints

    /// Saves weights, batch-norm statistics, Adam's moments and the step (temp file + rename).
    public func save(to path: String) throws(EvaluationError) {
        var entries = (detector.parameters + detector.buffers).map { SafeTensors.Entry(name: $0.name, tensor: $0.parameter.value) }
        for (i, (name, _)) in optimizer.parameters.enumerated() {
            entries.append(SafeTensors.Entry(name: "adam.exp_avg.\(name)", tensor: optimizer.firstMoments[i]))
            entries.append(SafeTensors.Entry(name: "adam.exp_avg_sq.\(name)", tensor: optimizer.secondMoments[i]))
        }
        let bytes = SafeTensors.encode(entries, metadata: [("step", String(step)), ("settings", settings.key), ("data", dataKey)])
        do { try FileIO.writeAtomically(bytes, to: path, durable: false) } catch {
            throw EvaluationError(.io, "cannot write \(path.terminalSafe): \(error.message)")
        }
    }

    /// Continues from a checkpoint `save` wrote with the same settings; false when there is none.
    public func resume(from path: String) throws(EvaluationError) -> Bool {
        guard let bytes = try? FileIO.read(path) else { return false }
        let decoded: (entries: [SafeTensors.Entry], metadata: [String: String])
        do { decoded = try SafeTensors.decode(bytes) } catch {
            throw EvaluationError(.checkpoint, "\(path.terminalSafe) is not a readable checkpoint: \(error.description)")
        }
        guard decoded.metadata["settings"] == settings.key, decoded.metadata["data"] == dataKey,
            let saved = decoded.metadata["step"].flatMap(Int.init)
        else {
            throw EvaluationError(
                .checkpoint, "\(path.terminalSafe) was saved with other settings or data; remove it or choose another --out to start over")
        }
        let byName = Dictionary(decoded.entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        for (name, parameter) in detector.parameters + detector.buffers {
            guard let value = byName[name], value.shape == parameter.value.shape else {
                throw EvaluationError(.checkpoint, "\(path.terminalSafe) lacks \(name) or holds it in another shape")
            }
            parameter.value = value
        }
        for (i, (name, parameter)) in optimizer.parameters.enumerated() {
            guard let m = byName["adam.exp_avg.\(name)"], let v = byName["adam.exp_avg_sq.\(name)"], m.shape == parameter.value.shape,
                v.shape == parameter.value.shape
            else { throw EvaluationError(.checkpoint, "\(path.terminalSafe) lacks the optimizer state of \(name)") }
            optimizer.firstMoments[i] = m
            optimizer.secondMoments[i] = v
        }
        optimizer.step = saved
        step = saved
        return true
    }
}
