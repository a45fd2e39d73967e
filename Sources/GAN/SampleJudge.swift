internal import Foundation
internal import ImageIO
internal import NeuralNet
public import StudioCore

/// How a run's samples of one class compare with the real images of that class, in the feature
/// space of a classifier trained on the real images (the judge).
public struct ClassQuality: Sendable, Equatable {
    /// Mean pairwise feature distance of the samples over that of the real images: about 1 when
    /// the samples vary as much as the real class, near 0 when the generator draws one image.
    /// NaN when the class has a single real image (nothing to compare the spread with).
    public var diversity: Double
    /// Share of the samples the judge assigns to the class that was asked for.
    public var fidelity: Double
    /// The class the judge sees most often among the samples that are not the asked class.
    public var mostConfusedWith: Int?
    /// The share of the class's real images the judge assigns to it: the most fidelity can mean
    /// (a judge that knows shirts from coats half the time cannot say more of generated shirts).
    public var reference: Double

    public init(diversity: Double, fidelity: Double, mostConfusedWith: Int? = nil, reference: Double = 1) {
        self.diversity = diversity
        self.fidelity = fidelity
        self.mostConfusedWith = mostConfusedWith
        self.reference = reference
    }

    /// Below this diversity a class counts as collapsed (the issue's bar: half the real spread).
    public static let collapsedBelow = 0.5
    /// Below this share of the judge's recall on real images, a class is drawn as something else.
    public static let offClassBelow = 0.5

    public var collapsed: Bool { diversity.isFinite && diversity < Self.collapsedBelow }
    public var offClass: Bool { fidelity < Self.offClassBelow * reference }

    /// The warnings of one checkpoint in one line, nil when every class is fine: "collapsed: 0
    /// (0.21×), 3 (0.33×); drawn as another class: 7 (0%, as 8)".
    public static func warningLine(_ quality: [ClassQuality], classes: [String]) -> String? {
        func name(_ c: Int) -> String { (c < classes.count ? classes[c] : String(c)).terminalSafe }
        let collapsed = quality.indices.filter { quality[$0].collapsed }.map {
            String(format: "%@ (%.2f×)", name($0), quality[$0].diversity)
        }
        let offClass = quality.indices.filter { quality[$0].offClass }.map { c in
            String(format: "%@ (%.0f%%, real %.0f%%", name(c), quality[c].fidelity * 100, quality[c].reference * 100)
                + (quality[c].mostConfusedWith.map { ", as \(name($0)))" } ?? ")")
        }
        let parts = [
            collapsed.isEmpty
                ? nil : "collapsed (diversity below \(collapsedBelow)× the real images'): " + collapsed.joined(separator: ", "),
            offClass.isEmpty ? nil : "drawn as another class: " + offClass.joined(separator: ", "),
        ].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Warnings in words, one per problem, empty when the class is fine.
    public static func warnings(_ quality: [ClassQuality], classes: [String]) -> [String] {
        var out: [String] = []
        for (c, q) in quality.enumerated() {
            let name = (c < classes.count ? classes[c] : String(c)).terminalSafe
            if q.collapsed {
                out.append(
                    String(
                        format:
                            "class %@ collapsed: its samples are nearly alike (diversity %.2f× the real images'; below %.1f× counts as collapse)",
                        name, q.diversity, collapsedBelow))
            }
            if q.offClass {
                let other =
                    q.mostConfusedWith.map { " (most look like \(($0 < classes.count ? classes[$0] : String($0)).terminalSafe))" } ?? ""
                out.append(
                    String(
                        format:
                            "class %@ is drawn as another class: %.0f%% of its samples look like it to a classifier of the real images%@",
                        name, q.fidelity * 100, other))
            }
        }
        return out
    }
}

/// A small classifier trained once on a run's real images, kept in `RUN/judge.safetensors`, and
/// the spread of each real class in its feature space: the fixed yardstick that every
/// checkpoint's samples are measured against, so a generator that ignores its noise (every
/// sample of a class the same image) or draws the wrong class is reported while it trains.
public final class SampleJudge {
    /// Side the judge looks at: the training resolution, at most 32 (a 64-px run is judged on
    /// 2×2 averages; collapse and class identity show at that size).
    public let side: Int
    let classifier: Classifier
    /// Mean pairwise feature distance among (up to `realPerClass`) real images of each class.
    public let realSpread: [Double]
    /// The share of those real images it assigns to their class.
    public let realRecall: [Double]

    static let steps = 300
    static let realPerClass = 64
    /// Samples per class at every checkpoint.
    public static let samplesPerClass = 32
    static let format = "synthstudio-gan-judge/1"

    init(side: Int, classifier: Classifier, realSpread: [Double], realRecall: [Double]) {
        self.side = side
        self.classifier = classifier
        self.realSpread = realSpread
        self.realRecall = realRecall
    }

    public static func path(_ run: String) -> String { "\(run)/judge.safetensors" }

    /// Trains the judge on the run's training images (seeded by the run, so the same run always
    /// gets the same judge).
    public static func train(on data: TrainingSet, seed: UInt64) -> SampleJudge {
        let side = min(32, data.images.shape[2])
        let images = downsampled(data.images, to: side)
        let classifier = Classifier(channels: data.channels, classes: data.classes.count, seed: seed)
        classifier.train(images, labels: data.labels, steps: steps, batch: min(64, data.count), seed: seed)
        var spread: [Double] = [], recall: [Double] = []
        for (c, indices) in data.byClass.enumerated() {
            let real = images.gathering(Array(indices.prefix(realPerClass)))
            spread.append(meanPairwiseDistance(classifier.features(real)))
            recall.append(Double(classifier.predict(real).filter { $0 == c }.count) / Double(max(1, real.batch)))
        }
        return SampleJudge(side: side, classifier: classifier, realSpread: spread, realRecall: recall)
    }

    /// The judge of a run: read from its folder, or trained and written there when missing.
    public static func forRun(_ run: String, data: TrainingSet, seed: UInt64, log: (String) -> Void) throws(GANError) -> SampleJudge {
        let file = path(run)
        if FileManager.default.fileExists(atPath: file) {
            let bytes: [UInt8]
            do { bytes = try FileIO.read(file) } catch { throw GANError(.io, "cannot read \(file.terminalSafe): \(error.message)") }
            return try restore(bytes, channels: data.channels, classes: data.classes.count, file: file)
        }
        log("training the judge: a classifier of the real images that each checkpoint's samples are measured against")
        let judge = train(on: data, seed: seed)
        do { try FileIO.writeAtomically(judge.encoded(), to: file) } catch {
            throw GANError(.io, "cannot write \(file.terminalSafe): \(error.message)")
        }
        return judge
    }

    private var state: [(name: String, parameter: Parameter, dtype: SafeTensors.DType)] {
        let body = (classifier.body.parameters + classifier.body.buffers).map {
            ("body.\($0.name)", $0.parameter, $0.name.hasSuffix("num_batches_tracked") ? SafeTensors.DType.i64 : .f32)
        }
        return body + classifier.head.parameters.map { ("head.\($0.name)", $0.parameter, .f32) }
    }

    func encoded() -> [UInt8] {
        SafeTensors.encode(
            state.map { SafeTensors.Entry(name: $0.name, tensor: $0.parameter.value, dtype: $0.dtype) },
            metadata: [
                ("format", Self.format), ("side", String(side)),
                ("real_spread", JSONValue.array(realSpread.map { $0.isFinite ? .double($0) : .null }).serialized()),
                ("real_recall", JSONValue.array(realRecall.map { .double($0) }).serialized()),
            ])
    }

    static func restore(_ bytes: [UInt8], channels: Int, classes: Int, file: String) throws(GANError) -> SampleJudge {
        func fail(_ what: String) -> GANError {
            GANError(.checkpoint, "\(file.terminalSafe): \(what) (delete it to train the judge again)")
        }
        let decoded: (entries: [SafeTensors.Entry], metadata: [String: String])
        do { decoded = try SafeTensors.decode(bytes) } catch { throw fail("damaged: \(error.description)") }
        guard decoded.metadata["format"] == format, let side = decoded.metadata["side"].flatMap(Int.init), [16, 32].contains(side),
            let spreadText = decoded.metadata["real_spread"], let spreadJSON = try? JSONReader.parse(Array(spreadText.utf8)),
            let spreadItems = spreadJSON.array, spreadItems.count == classes, let recallText = decoded.metadata["real_recall"],
            let recallItems = (try? JSONReader.parse(Array(recallText.utf8)))?.array, recallItems.count == classes,
            recallItems.allSatisfy({ ($0.number ?? -1) >= 0 && ($0.number ?? 2) <= 1 })
        else { throw fail("not a judge for this run") }
        let judge = SampleJudge(
            side: side, classifier: Classifier(channels: channels, classes: classes, seed: 0),
            realSpread: spreadItems.map { $0.number ?? .nan }, realRecall: recallItems.map { $0.number ?? 1 })
        let byName = Dictionary(decoded.entries.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let entries = judge.state
        for entry in entries {
            guard let found = byName[entry.name], found.shape == entry.parameter.value.shape else {
                throw fail("\(entry.name) is missing or has another shape")
            }
            entry.parameter.value = found
        }
        return judge
    }

    /// Diversity and fidelity of every class of `model`, from the same noise at every call (a
    /// stream of its own: measuring never changes what training draws).
    public func measure(_ model: GANModel) -> [ClassQuality] {
        let a = model.info.architecture
        var fixed = RandomStream(seed: model.info.settings.seed).derived(4)
        let n = Self.samplesPerClass
        let noise = (0..<(n * a.latent)).map { _ in Float(fixed.nextNormal()) }
        return (0..<a.classes).map { c in
            let images = model.generate(noise: Tensor(shape: [n, a.latent], storage: noise), labels: Array(repeating: c, count: n))
            return quality(of: Self.downsampled(images, to: side), asked: c)
        }
    }

    /// Diversity and fidelity of images `(N, C, side, side)` that should all be class `asked`.
    func quality(of images: Tensor, asked: Int) -> ClassQuality {
        let features = classifier.features(images)
        let predicted = classifier.predict(images)
        let hits = predicted.filter { $0 == asked }.count
        var others: [Int: Int] = [:]
        for p in predicted where p != asked { others[p, default: 0] += 1 }
        let confused = others.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
        let spread = realSpread[asked]
        let diversity = spread > 0 ? Self.meanPairwiseDistance(features) / spread : .nan
        return ClassQuality(
            diversity: diversity, fidelity: Double(hits) / Double(max(1, predicted.count)), mostConfusedWith: confused,
            reference: realRecall[asked])
    }

    /// Mean Euclidean distance over all pairs of rows; NaN with fewer than two rows.
    static func meanPairwiseDistance(_ x: Tensor) -> Double {
        let (n, d) = (x.batch, x.itemCount)
        guard n >= 2 else { return .nan }
        var total = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                var sum: Float = 0
                for t in 0..<d {
                    let diff = x.storage[i * d + t] - x.storage[j * d + t]
                    sum += diff * diff
                }
                total += Double(sum.squareRoot())
            }
        }
        return total / Double(n * (n - 1) / 2)
    }

    /// `(N, C, R, R)` reduced to `side` by averaging `R/side`-square blocks (`R` a multiple of `side`).
    static func downsampled(_ images: Tensor, to side: Int) -> Tensor {
        let (n, c, r) = (images.shape[0], images.shape[1], images.shape[2])
        guard r > side else { return images }
        let f = r / side
        var out = [Float](repeating: 0, count: n * c * side * side)
        let scale = 1 / Float(f * f)
        for plane in 0..<(n * c) {
            for y in 0..<side {
                for x in 0..<side {
                    var sum: Float = 0
                    for dy in 0..<f { for dx in 0..<f { sum += images.storage[plane * r * r + (y * f + dy) * r + x * f + dx] } }
                    out[(plane * side + y) * side + x] = sum * scale
                }
            }
        }
        return Tensor(shape: [n, c, side, side], storage: out)
    }
}

extension SampleJudge {
    /// What `gan check` reports: the judge's measures of a run's latest checkpoint.
    public struct Check: Sendable {
        public let step: Int
        public let classes: [String]
        public let quality: [ClassQuality]
    }

    /// `RUN/check.json`: the last `gan check` (the studio shows it for a run whose log has none).
    public static func checkPath(_ run: String) -> String { "\(run)/check.json" }

    /// Diversity and fidelity per class as `log.jsonl` and `check.json` carry them (4 decimals, null for NaN).
    public static func json(_ quality: [ClassQuality]) -> [(String, JSONValue)] {
        func rounded(_ v: Double) -> JSONValue { v.isFinite ? .double((v * 1e4).rounded() / 1e4) : .null }
        return [
            ("diversity", .array(quality.map { rounded($0.diversity) })), ("fidelity", .array(quality.map { rounded($0.fidelity) })),
            ("fidelity_reference", .array(quality.map { rounded($0.reference) })),
        ]
    }

    /// Reads `diversity` and `fidelity` arrays of `classes` entries from a log or check line.
    public static func quality(from object: JSONValue, classes: Int) -> [ClassQuality]? {
        guard let diversity = object["diversity"]?.array, let fidelity = object["fidelity"]?.array, diversity.count == classes,
            fidelity.count == classes
        else { return nil }
        // Lines written before the reference existed hold the judge to 100 %.
        let reference = object["fidelity_reference"]?.array.flatMap { $0.count == classes ? $0 : nil }
        return zip(diversity, fidelity).enumerated().map { c, pair in
            ClassQuality(diversity: pair.0.number ?? .nan, fidelity: pair.1.number ?? .nan, reference: reference?[c].number ?? 1)
        }
    }

    /// Measures a run's latest checkpoint (training the judge first when the run has none) and
    /// keeps the figures in `RUN/check.json`.
    public static func check(run: String, log: (String) -> Void = { _ in }) throws(GANError) -> Check {
        let model = try GANModel.load(run: run)
        let data = try TrainingSet(
            dataset: try GANTrainer.read(model.info.datasetRoot), resolution: model.info.architecture.resolution,
            fit: model.info.settings.fit)
        guard data.classes == model.info.classes else {
            throw GANError(.data, "the dataset's classes changed since the run started; the judge needs the run's own classes")
        }
        let judge = try forRun(run, data: data, seed: model.info.settings.seed, log: log)
        let quality = judge.measure(model)
        let record = JSONValue.object([("step", .int(model.step))] + json(quality)).serialized() + "\n"
        do { try FileIO.writeAtomically(Array(record.utf8), to: checkPath(run)) } catch {
            throw GANError(.io, "cannot write \(checkPath(run).terminalSafe): \(error.message)")
        }
        return Check(step: model.step, classes: data.classes, quality: quality)
    }
}
