public import Datasets

/// What a job does: one case per kind, each with its own parameters. Written to
/// `.studio/jobs/<id>/spec.json` (see `JobSpec+JSON`) and handed to its worker.
public enum JobSpec: Sendable, Hashable {
    /// Street scenes from a recipe, into a COCO + YOLO dataset.
    case render(RenderSpec)
    /// Images of one class from a trained GAN run, into an ImageFolder.
    case ganSample(GANSampleSpec)
    /// Training (or continuing) a GAN run; no dataset is written.
    case ganTrain(GANTrainSpec)
    /// The TSTR evaluation of a synthetic dataset; the report goes into the job's log.
    case evaluate(EvaluateSpec)
    /// Any command that speaks the worker protocol (a GPU box, a cluster scheduler).
    case external(ExternalSpec)

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case render
        case ganTrain = "gan-train"
        case ganSample = "gan-sample"
        case evaluate
        case external

        /// Whether the job writes images into a synthetic dataset.
        public var writesDataset: Bool { self == .render || self == .ganSample || self == .external }

        /// How the job's dataset is laid out: GAN samples are one class per image (an ImageFolder),
        /// everything else COCO + YOLO.
        public var datasetFormat: DatasetFormat { self == .ganSample ? .imageFolder : .coco }
    }

    public var kind: Kind {
        switch self {
        case .render: .render
        case .ganSample: .ganSample
        case .ganTrain: .ganTrain
        case .evaluate: .evaluate
        case .external: .external
        }
    }

    public var id: String {
        switch self {
        case .render(let s): s.id
        case .ganSample(let s): s.id
        case .ganTrain(let s): s.id
        case .evaluate(let s): s.id
        case .external(let s): s.id
        }
    }

    /// The images the job writes, for the kinds that write a dataset.
    public var units: UnitPlan? {
        get {
            switch self {
            case .render(let s): s.units
            case .ganSample(let s): s.units
            case .external(let s): s.units
            case .ganTrain, .evaluate: nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .render(var s):
                s.units = newValue
                self = .render(s)
            case .ganSample(var s):
                s.units = newValue
                self = .ganSample(s)
            case .external(var s):
                s.units = newValue
                self = .external(s)
            case .ganTrain, .evaluate: break
            }
        }
    }

    /// The synthetic dataset the job writes, if any.
    public var dataset: String? { units?.dataset }

    /// How much work the job is, in its own unit: images, training steps, or one evaluation.
    public var total: Int {
        switch self {
        case .render(let s): s.units.count
        case .ganSample(let s): s.units.count
        case .external(let s): s.units.count
        case .ganTrain(let s): s.steps
        case .evaluate: 1
        }
    }

    public var seed: UInt64 {
        switch self {
        case .render(let s): s.units.seed
        case .ganSample(let s): s.units.seed
        case .external(let s): s.units.seed
        case .ganTrain(let s): s.seed
        case .evaluate(let s): s.seed
        }
    }

    /// A copy with another id (a job made from a plan gets its id when queued).
    public func with(id: String) -> JobSpec {
        switch self {
        case .render(var s):
            s.id = id
            return .render(s)
        case .ganSample(var s):
            s.id = id
            return .ganSample(s)
        case .ganTrain(var s):
            s.id = id
            return .ganTrain(s)
        case .evaluate(var s):
            s.id = id
            return .evaluate(s)
        case .external(var s):
            s.id = id
            return .external(s)
        }
    }
}

/// A render job: `units.count` images of `recipe` with `pins` replacing drawn parameters.
public struct RenderSpec: Sendable, Hashable {
    public var id: String
    public var units: UnitPlan
    /// The recipe file (absolute once queued).
    public var recipe: String
    /// Recipe parameters pinned to one value (`weather: snow`, `cyclists: 4`).
    public var pins: [String: String]
    /// Image size, overriding the recipe's.
    public var size: PixelSize?
    /// Samples per pixel, overriding the recipe's.
    public var samplesPerPixel: Int?
    /// The renderer's class names to the dataset's (`pedestrian: person`), overriding the recipe's
    /// `labels`; classes left out of a non-empty map are not labelled.
    public var labels: [String: String]?
    /// The dataset's class list, in order (the user's categories, so YOLO ids line up); nil for
    /// every class the renderer (through `labels`) can produce.
    public var classes: [String]?

    public init(
        id: String, units: UnitPlan, recipe: String, pins: [String: String] = [:], size: PixelSize? = nil,
        samplesPerPixel: Int? = nil, labels: [String: String]? = nil, classes: [String]? = nil
    ) {
        self.id = id
        self.units = units
        self.recipe = recipe
        self.pins = pins
        self.size = size
        self.samplesPerPixel = samplesPerPixel
        self.labels = labels
        self.classes = classes
    }
}

/// An image size in pixels.
public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `WxH`.
    public var description: String { "\(width)x\(height)" }
}

/// A GAN sampling job: `units.count` images of `className` from the run in `run`.
public struct GANSampleSpec: Sendable, Hashable {
    public var id: String
    public var units: UnitPlan
    /// The run folder (absolute once queued).
    public var run: String
    public var className: String

    public init(id: String, units: UnitPlan, run: String, className: String) {
        self.id = id
        self.units = units
        self.run = run
        self.className = className
    }
}

/// A GAN training job: the run in `run` trained to `steps` (started on `data` when new).
public struct GANTrainSpec: Sendable, Hashable {
    public var id: String
    /// The dataset a new run learns from (absolute once queued).
    public var data: String
    /// The run folder (absolute once queued).
    public var run: String
    /// The step to train to (resuming raises a run's target to it).
    public var steps: Int
    public var seed: UInt64
    /// Settings of a new run (ignored when the run exists).
    public var resolution: Int
    public var batch: Int
    /// `dcgan` or `resnet`; a job written before it existed trained the DCGAN.
    public var architecture: String
    /// `bce` or `hinge`; nil: the architecture's own (bce for dcgan, hinge for resnet).
    public var loss: String?
    public var augment: String
    public var ngf: Int
    public var ndf: Int

    public init(
        id: String, data: String, run: String, steps: Int, seed: UInt64, resolution: Int = 32, batch: Int = 64,
        architecture: String = "dcgan", loss: String? = nil, augment: String = "none", ngf: Int = 64, ndf: Int = 64
    ) {
        self.id = id
        self.data = data
        self.run = run
        self.steps = steps
        self.seed = seed
        self.resolution = resolution
        self.batch = batch
        self.architecture = architecture
        self.loss = loss
        self.augment = augment
        self.ngf = ngf
        self.ndf = ndf
    }
}

/// An evaluation job: a classifier (`task` classify) or a detector (`task` detect) trained on
/// real, synthetic and both, tested on the holdout.
public struct EvaluateSpec: Sendable, Hashable {
    public enum Task: String, Sendable, Hashable, CaseIterable { case classify, detect }

    public var id: String
    public var real: String
    public var synthetic: String
    public var holdout: String
    public var seed: UInt64
    public var task: Task
    /// Training steps per model; nil: the task's default (classify 600, detect 1500).
    public var steps: Int?
    /// detect: the detector's input size, `WxH`; nil: 256x192.
    public var size: String?

    public init(
        id: String, real: String, synthetic: String, holdout: String, seed: UInt64, task: Task = .classify, steps: Int? = nil,
        size: String? = nil
    ) {
        self.id = id
        self.real = real
        self.synthetic = synthetic
        self.holdout = holdout
        self.seed = seed
        self.task = task
        self.steps = steps
        self.size = size
    }
}

/// A job run by any command that speaks the protocol (docs/JOBS.md).
public struct ExternalSpec: Sendable, Hashable {
    public var id: String
    public var units: UnitPlan
    /// The command and its arguments.
    public var command: [String]
    /// Given to the command as `SYNTHSTUDIO_PARAMETERS` (a JSON object).
    public var parameters: [String: String]
    /// The dataset's class list, when the command declares it; else classes are added as they
    /// first appear (and keep their ids).
    public var classes: [String]?

    public init(id: String, units: UnitPlan, command: [String], parameters: [String: String] = [:], classes: [String]? = nil) {
        self.id = id
        self.units = units
        self.command = command
        self.parameters = parameters
        self.classes = classes
    }
}

extension JobSpec {
    /// The parameters that set this job apart, as `(name, value)` pairs for a form or a listing:
    /// a render's recipe and pins, a GAN's run and class, a goal.
    public var parameterSummary: [(name: String, value: String)] {
        var out: [(String, String)] = []
        switch self {
        case .render(let s):
            out.append(("recipe", s.recipe))
            for (k, v) in s.pins.sorted(by: { $0.key < $1.key }) { out.append((k, v)) }
            if let labels = s.labels, !labels.isEmpty {
                out.append(("labels", labels.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }.joined(separator: ", ")))
            }
        case .ganSample(let s):
            out += [("run", s.run), ("class", s.className)]
        case .ganTrain(let s):
            out += [("data", s.data), ("run", s.run)]
        case .evaluate(let s):
            out += [("task", s.task.rawValue), ("real", s.real), ("synthetic", s.synthetic), ("holdout", s.holdout)]
            if let steps = s.steps { out.append(("steps", String(steps))) }
            if let size = s.size { out.append(("size", size)) }
        case .external(let s):
            out.append(("command", s.command.joined(separator: " ")))
            for (k, v) in s.parameters.sorted(by: { $0.key < $1.key }) { out.append((k, v)) }
        }
        if let goal = units?.goal { out.append(("stops at", "\(goal.target) in \(CellKey(row: goal.row, column: goal.column))")) }
        return out
    }
}
