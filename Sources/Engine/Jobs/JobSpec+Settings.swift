public import Datasets
internal import Foundation
internal import ImageIO
internal import StudioCore

/// Specs from what a person types: `jobs start KIND --dataset D --count N --seed S --set k=v …`.
extension JobSpec {
    /// The `--set` keys each kind takes (besides a render job's recipe parameters).
    public static func settingKeys(_ kind: Kind) -> [String] {
        switch kind {
        case .render: ["size", "spp", "labels", "classes"]
        case .ganSample: ["run", "class"]
        case .ganTrain: ["data", "run", "resolution", "batch", "loss", "augment", "ngf", "ndf"]
        case .evaluate: ["real", "synthetic", "holdout", "task", "steps", "size"]
        case .external: ["classes"]
        }
    }

    /// A spec for `workspace` from command-line values. Dataset names and workspace-relative
    /// paths in `run`, `data`, `real`, `synthetic`, `holdout` become absolute paths (the worker may
    /// run anywhere); `recipe` is relative to the current folder. A render job's other `--set`
    /// keys pin recipe parameters; an external job's are handed to its command.
    public static func make(
        kind: Kind, id: String, dataset: String?, count: Int, seed: UInt64, settings: [String: String], recipe: String? = nil,
        command: [String]? = nil, shard: Shard = .whole, in workspace: Workspace
    ) throws(EngineError) -> JobSpec {
        var rest = settings
        func take(_ key: String) -> String? { rest.removeValue(forKey: key) }
        func path(_ key: String) throws(EngineError) -> String {
            guard let value = take(key) else {
                let needed = settingKeys(kind).filter { ["run", "data", "real", "synthetic", "holdout", "class"].contains($0) }
                throw EngineError(
                    .invalidSpec,
                    "a \(kind.rawValue) job needs --set \(key)=… (it needs: \(needed.map { "\($0)=…" }.joined(separator: ", ")))")
            }
            return workspace.resolve(value)
        }
        func integer(_ key: String, _ fallback: Int) throws(EngineError) -> Int {
            guard let text = take(key) else { return fallback }
            guard let n = Int(text) else { throw EngineError(.invalidSpec, "--set \(key)=\(text.terminalSafe): expected an integer") }
            return n
        }
        func classes() -> [String]? {
            take("classes").map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        }
        func noneLeft() throws(EngineError) {
            if let unknown = rest.keys.sorted().first {
                throw EngineError(
                    .invalidSpec,
                    "--set \(unknown.terminalSafe): a \(kind.rawValue) job takes \(settingKeys(kind).joined(separator: ", "))")
            }
        }
        func units() throws(EngineError) -> UnitPlan {
            guard let dataset else { throw EngineError(.invalidSpec, "a \(kind.rawValue) job needs --dataset NAME") }
            return UnitPlan(dataset: dataset, count: count, seed: seed, shard: shard)
        }
        let spec: JobSpec
        switch kind {
        case .render:
            guard let recipe else { throw EngineError(.invalidSpec, "a render job needs --recipe FILE") }
            let file = FileIO.absolute(recipe)
            guard FileIO.isFile(file) else { throw EngineError(.invalidSpec, "no recipe at \(file.terminalSafe)") }
            let size = try take("size").map { t throws(EngineError) in try PixelSize.parse(t) }
            let spp = try take("spp").map { t throws(EngineError) in
                guard let n = Int(t) else { throw EngineError(.invalidSpec, "--set spp=\(t.terminalSafe): expected an integer") }
                return n
            }
            // Renderer classes are the recipe's: the street's (with its `assets:`) or a composition's.
            let labels = try take("labels").map { t throws(EngineError) in
                try Recipe.parseLabels(t, classes: try Recipe.load(file).rendererClasses)
            }
            let declared = classes()
            // What is left pins recipe parameters; the recipe checks their names when it draws.
            spec = .render(
                RenderSpec(
                    id: id, units: try units(), recipe: file, pins: rest, size: size, samplesPerPixel: spp, labels: labels,
                    classes: declared))
        case .ganSample:
            let run = try path("run")
            guard let className = take("class") else { throw EngineError(.invalidSpec, "a gan-sample job needs --set class=NAME") }
            try noneLeft()
            spec = .ganSample(GANSampleSpec(id: id, units: try units(), run: run, className: className))
        case .ganTrain:
            let data = try path("data"), run = try path("run")
            let s = GANTrainSpec(
                id: id, data: data, run: run, steps: count, seed: seed, resolution: try integer("resolution", 32),
                batch: try integer("batch", 64), architecture: take("architecture") ?? "dcgan", loss: take("loss"),
                augment: take("augment") ?? "none",
                ngf: try integer("ngf", 64), ndf: try integer("ndf", 64))
            try noneLeft()
            spec = .ganTrain(s)
        case .evaluate:
            let taskName = take("task") ?? "classify"
            guard let task = EvaluateSpec.Task(rawValue: taskName) else {
                throw EngineError(.invalidSpec, "--set task=\(taskName.terminalSafe): expected classify or detect")
            }
            let steps = try take("steps").map { text throws(EngineError) -> Int in
                guard let n = Int(text), n >= 1 else {
                    throw EngineError(.invalidSpec, "--set steps=\(text.terminalSafe): expected a positive integer")
                }
                return n
            }
            let s = EvaluateSpec(
                id: id, real: try path("real"), synthetic: try path("synthetic"), holdout: try path("holdout"), seed: seed, task: task,
                steps: steps, size: take("size"))
            try noneLeft()
            spec = .evaluate(s)
        case .external:
            guard let command, !command.isEmpty else { throw EngineError(.invalidSpec, "an external job needs a command after --") }
            let declared = classes()
            spec = .external(ExternalSpec(id: id, units: try units(), command: command, parameters: rest, classes: declared))
        }
        try spec.validate()
        return spec
    }
}

extension Workspace {
    /// A dataset name of this workspace as its folder, else a path relative to the workspace
    /// (or absolute) made absolute.
    public func resolve(_ nameOrPath: String) -> String {
        if let entry = datasets.first(where: { $0.name == nameOrPath }) { return path(of: entry) }
        return nameOrPath.hasPrefix("/") ? FileIO.absolute(nameOrPath) : FileIO.absolute("\(root)/\(nameOrPath)")
    }
}
