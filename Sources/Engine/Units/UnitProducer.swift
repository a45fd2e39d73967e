/// A job that makes images one unit at a time in this process (render, GAN sample): what
/// `synthstudio worker` runs and what `synthstudio render` / `gan sample` run in process. Unit `i`
/// depends only on the job's inputs and `i`, so any shard or resume makes the same bytes.
public protocol UnitProducer {
    /// Which units, from which seed, into which dataset.
    var plan: UnitPlan { get }
    /// How the units are named (a fingerprint of the inputs).
    var key: UnitKey { get }
    /// The dataset's class list, in order: every class the units can carry.
    var classes: [String] { get }
    /// COCO + YOLO, or one folder per class.
    var layout: DatasetCommitter.Layout { get }

    /// Computes unit `index` (on every core) and returns what writes it into `folder` — the
    /// image and manifest last — for `UnitPipeline` to run while the next unit is computed.
    func produce(_ index: Int, into folder: String) throws(EngineError) -> UnitPipeline.Write
}

/// What the committing side needs to know of a job's units, whether or not it produces them.
public struct UnitInfo: Sendable {
    public let key: UnitKey
    /// The dataset's class list; nil when the producer does not declare one (external jobs that
    /// do not): classes are then added as they first appear, and keep their ids.
    public let classes: [String]?
    public let layout: DatasetCommitter.Layout
}

extension UnitProducer {
    public var info: UnitInfo { UnitInfo(key: key, classes: classes, layout: layout) }
}
