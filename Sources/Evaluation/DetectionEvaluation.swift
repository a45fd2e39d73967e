public import Datasets
internal import ImageIO
internal import StudioCore

#if canImport(Glibc)
    internal import Glibc
#endif

/// Which data a detector is trained on.
public enum TrainingMix: String, Sendable, CaseIterable {
    case real
    case synthetic
    case combined = "real+synthetic"
    /// Trained on synthetic images, then fine-tuned on real ones for the same number of steps.
    case finetuned = "synthetic→real"

    /// File-name-safe form (checkpoints).
    var slug: String {
        switch self {
        case .real: "real"
        case .synthetic: "synthetic"
        case .combined: "real-synthetic"
        case .finetuned: "synthetic-then-real"
        }
    }
}

/// The scores of one training mix on the real holdout: overall and per image condition.
public struct MixScores: Sendable {
    public var mix: TrainingMix
    public var overall: DetectionScores
    /// One entry per (attribute, value) the holdout's images carry, in attribute then value order.
    public var conditions: [ConditionScores]
    /// Training steps it ran and the seconds they took (this session's, when resumed).
    public var steps: Int
    public var seconds: Double
}

public struct ConditionScores: Sendable {
    public var attribute: String
    public var value: String
    public var images: Int
    public var scores: DetectionScores
}

/// What `evaluate --task detect` prints.
public struct DetectionReport: Sendable {
    public var classes: [String]
    public var settings: DetectorSettings
    public var images: (real: Int, synthetic: Int, holdout: Int)
    public var mixes: [MixScores]
}

/// Trains the detector on each training mix and scores it on the real holdout, by class and by
/// every image condition the holdout carries (weather, time of day, …). The holdout's classes
/// (those with boxes) are the class list; training data is matched onto it by name.
public struct DetectionEvaluation: Sendable {
    public var real: Dataset?
    public var synthetic: Dataset?
    public var holdout: Dataset
    public var settings: DetectorSettings
    public var mixes: [TrainingMix]
    /// Where checkpoints go (`<mix>.safetensors`), so a stopped evaluation resumes; nil: none.
    public var folder: String?

    public init(
        real: Dataset?, synthetic: Dataset?, holdout: Dataset, settings: DetectorSettings, mixes: [TrainingMix], folder: String?
    ) {
        self.real = real
        self.synthetic = synthetic
        self.holdout = holdout
        self.settings = settings
        self.mixes = mixes
        self.folder = folder
    }

    /// Largest number of values an image attribute may take to be reported as a condition
    /// (attributes such as a seed or a camera height take a value per image).
    public static let maxConditionValues = 12

    public struct Progress: Sendable {
        public var mix: TrainingMix
        public var mixIndex: Int
        public var mixCount: Int
        public var step: Int
        public var steps: Int
        public var loss: Float
        public var imagesPerSecond: Double
    }

    public enum Outcome: Sendable {
        case finished(DetectionReport)
        /// Stopped on request; checkpoints are written when there is a folder.
        case stopped(mix: TrainingMix, step: Int)
    }

    public func run(
        progress: (Progress) -> Void = { _ in }, shouldStop: () -> Bool = { false }, log: (String) -> Void = { _ in }
    ) throws(EvaluationError) -> Outcome {
        try settings.validate()
        let classes = DetectionImages.classes(of: holdout)
        guard !classes.isEmpty else {
            throw EvaluationError(.data, "the holdout \(holdout.root.terminalSafe) has no boxes to score detections against")
        }
        let (w, h) = (settings.inputWidth, settings.inputHeight)
        func load(_ dataset: Dataset?, _ role: String) throws(EvaluationError) -> DetectionImages? {
            guard let dataset else { return nil }
            let images = try DetectionImages(dataset: dataset, classes: classes, width: w, height: h)
            guard images.items.contains(where: { $0.boxes.contains { !$0.ignore } }) else {
                throw EvaluationError(
                    .data,
                    "the \(role) data \(dataset.root.terminalSafe) has no boxes of the holdout's classes (\(classes.map(\.terminalSafe).joined(separator: ", ")))"
                )
            }
            return images
        }
        for mix in mixes {
            if mix != .synthetic && real == nil { throw EvaluationError(.settings, "the \(mix.rawValue) mix needs --real") }
            if mix != .real && synthetic == nil { throw EvaluationError(.settings, "the \(mix.rawValue) mix needs --synthetic") }
        }
        log("loading images at \(w)×\(h)")
        let realImages = try load(real, "real")
        let syntheticImages = try load(synthetic, "synthetic")
        let holdoutImages = try DetectionImages(dataset: holdout, classes: classes, width: w, height: h)

        var results: [MixScores] = []
        for (index, mix) in mixes.enumerated() {
            let stages: [[DetectionImages.Item]]
            switch mix {
            case .real: stages = [realImages!.items]
            case .synthetic: stages = [syntheticImages!.items]
            case .combined: stages = [realImages!.items + syntheticImages!.items]
            case .finetuned: stages = [syntheticImages!.items, realImages!.items]
            }
            var trained: Detector?
            var seconds = 0.0
            var steps = 0
            for (stage, data) in stages.enumerated() {
                let training = DetectorTraining(classes: classes.count, data: data, settings: settings)
                if let trained { training.start(from: trained) }
                let checkpoint = folder.map { "\($0)/\(mix.slug)\(stages.count > 1 ? "-\(stage + 1)" : "").safetensors" }
                if let checkpoint, try training.resume(from: checkpoint) {
                    log("\(mix.rawValue): resuming at step \(training.step)")
                }
                let started = Self.seconds()
                let first = training.step
                while training.step < settings.steps {
                    if shouldStop() {
                        if let checkpoint { try training.save(to: checkpoint) }
                        return .stopped(mix: mix, step: training.step)
                    }
                    let loss = training.trainStep()
                    let elapsed = Self.seconds() - started
                    progress(
                        Progress(
                            mix: mix, mixIndex: index, mixCount: mixes.count, step: stage * settings.steps + training.step,
                            steps: stages.count * settings.steps, loss: loss,
                            imagesPerSecond: Double((training.step - first) * settings.batch) / max(elapsed, 1e-3)))
                    if let checkpoint, training.step % settings.checkpointEvery == 0 || training.step == settings.steps {
                        try training.save(to: checkpoint)
                    }
                }
                seconds += Self.seconds() - started
                steps += training.step - first
                trained = training.detector
            }
            log("\(mix.rawValue): scoring on \(holdoutImages.items.count) held-out images")
            results.append(score(trained!, holdoutImages, mix: mix, steps: steps, seconds: seconds))
        }
        return .finished(
            DetectionReport(
                classes: classes, settings: settings,
                images: (realImages?.items.count ?? 0, syntheticImages?.items.count ?? 0, holdoutImages.items.count), mixes: results))
    }

    /// Detections on every holdout image, mapped back to its own pixels, scored overall and by condition.
    func score(_ detector: Detector, _ holdoutImages: DetectionImages, mix: TrainingMix, steps: Int, seconds: Double) -> MixScores {
        let found = DetectorTraining.detect(detector, holdoutImages.items, width: settings.inputWidth, height: settings.inputHeight)
        var detections: [DetectedBox] = []
        for (item, boxes) in zip(holdoutImages.items, found) {
            let s = Double(item.scale)
            for (box, score) in boxes {
                detections.append(
                    DetectedBox(
                        image: item.sample, category: box.category,
                        box: (Double(box.x) / s, Double(box.y) / s, Double(box.width) / s, Double(box.height) / s), score: Double(score)))
            }
        }
        let (truth, objectAttributes) = Self.groundTruth(holdout, classes: holdoutImages.classes)
        let categories = Array(holdoutImages.classes.indices)
        let everyImage = Array(holdout.samples.indices)
        let overall = DetectionAP.evaluate(groundTruth: truth, detections: detections, images: everyImage, categories: categories)
        var conditions: [ConditionScores] = []
        for (attribute, values) in Self.conditions(of: holdout) {
            for (value, images) in values {
                conditions.append(
                    ConditionScores(
                        attribute: attribute, value: value, images: images.count,
                        scores: DetectionAP.evaluate(groundTruth: truth, detections: detections, images: images, categories: categories)))
            }
        }
        // Object conditions (occlusion, view, pose…): the objects of other values are left out,
        // as COCO leaves out objects outside an area range; detections of nothing still count.
        let imageAttributes = Set(holdout.samples.flatMap(\.attributes.keys))
        for (attribute, values) in Self.objectConditions(truth: truth, attributes: objectAttributes, imageAttributes: imageAttributes) {
            for (value, members) in values {
                var subset = truth
                for i in subset.indices where !members.contains(i) { subset[i].isExcluded = true }
                conditions.append(
                    ConditionScores(
                        attribute: attribute, value: value, images: Set(members.map { truth[$0].image }).count,
                        scores: DetectionAP.evaluate(
                            groundTruth: subset, detections: detections, images: everyImage, categories: categories)))
            }
        }
        return MixScores(mix: mix, overall: overall, conditions: conditions, steps: steps, seconds: seconds)
    }

    /// The holdout's boxes in its own pixels, classes by index into `classes`; crowd and ignore
    /// regions as COCO crowds.
    /// Annotation attributes (not the image's, which `conditions` scores) with 2…`maxConditionValues`
    /// values, each held by at least 3 counted objects: each value with the indices into `truth`
    /// of its objects.
    static func objectConditions(
        truth: [GroundTruthBox], attributes: [[String: String]], imageAttributes: Set<String>
    ) -> [(String, [(String, Set<Int>)])] {
        var byKey: [String: [String: Set<Int>]] = [:]
        for (i, object) in truth.enumerated() where !object.isCrowd {
            for (key, value) in attributes[i] where !imageAttributes.contains(key) {
                byKey[key, default: [:]][value, default: []].insert(i)
            }
        }
        return byKey.keys.sorted().compactMap { key in
            let values = byKey[key]!
            guard (2...maxConditionValues).contains(values.count), values.values.allSatisfy({ $0.count >= 3 }) else { return nil }
            return (key, values.keys.sorted().map { ($0, values[$0]!) })
        }
    }

    static func groundTruth(_ dataset: Dataset, classes: [String]) -> (truth: [GroundTruthBox], attributes: [[String: String]]) {
        let index = Dictionary(classes.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let classOfID = Dictionary(dataset.categories.map { ($0.id, index[$0.name]) }, uniquingKeysWith: { a, _ in a })
        var truth: [GroundTruthBox] = []
        var attributes: [[String: String]] = []
        for (i, sample) in dataset.samples.enumerated() {
            for a in sample.annotations {
                guard let box = a.box, box.isWellFormed, let category = classOfID[a.categoryID] ?? nil else { continue }
                truth.append(
                    GroundTruthBox(
                        image: i, category: category, box: (box.x, box.y, box.width, box.height), area: a.area,
                        isCrowd: a.isCrowd || a.isIgnored))
                // The object's own attributes; those copied from its image are image conditions.
                attributes.append(a.attributes.filter { sample.attributes[$0.key] != $0.value })
            }
        }
        return (truth, attributes)
    }

    static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Image attributes with 2…`maxConditionValues` values and at least three images per value on
    /// average, each value with its images.
    static func conditions(of dataset: Dataset) -> [(String, [(String, [Int])])] {
        var byKey: [String: [String: [Int]]] = [:]
        for (i, sample) in dataset.samples.enumerated() {
            for (key, value) in sample.attributes { byKey[key, default: [:]][value, default: []].append(i) }
        }
        return byKey.keys.sorted().compactMap { key in
            let values = byKey[key]!
            // A value per image or two (a seed, a curve radius) says nothing about a condition.
            guard (2...maxConditionValues).contains(values.count), dataset.samples.count >= 3 * values.count else { return nil }
            return (key, values.keys.sorted().map { ($0, values[$0]!) })
        }
    }
}
