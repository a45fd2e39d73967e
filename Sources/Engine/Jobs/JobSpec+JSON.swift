internal import Datasets
internal import Foundation
internal import GAN
internal import StudioCore

/// `spec.json`: one flat JSON object, keys in a fixed order — `id`, `kind`, then the kind's own.
///
/// Parsing is strict: an unknown kind or field, a missing or wrongly typed value is an error
/// naming it, so a typo never silently runs a different job.
extension JobSpec {
    /// The spec as JSON (keys in a fixed order, pretty-printed, with its newline).
    public func json() -> String {
        var members: [(String, JSONValue)] = [("id", .string(id)), ("kind", .string(kind.rawValue))]
        func strings(_ map: [String: String]) -> JSONValue { .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) }
        if let units {
            members += [
                ("dataset", .string(units.dataset)), ("count", .int(units.count)), ("seed", .string(String(units.seed))),
                ("shard", .string(units.shard.description)),
            ]
            if let goal = units.goal {
                var fields: [(String, JSONValue)] = []
                if let view = goal.view { fields.append(("view", .string(view))) }
                fields += [("row", .string(goal.row)), ("column", .string(goal.column)), ("target", .int(goal.target))]
                members.append(("goal", .object(fields)))
            }
        }
        switch self {
        case .render(let s):
            members += [("recipe", .string(s.recipe)), ("pins", strings(s.pins))]
            if let size = s.size { members.append(("size", .string(size.description))) }
            if let spp = s.samplesPerPixel { members.append(("samples_per_pixel", .int(spp))) }
            if let labels = s.labels { members.append(("labels", strings(labels))) }
            if let classes = s.classes { members.append(("classes", .array(classes.map { .string($0) }))) }
        case .ganSample(let s):
            members += [("run", .string(s.run)), ("class", .string(s.className))]
        case .ganTrain(let s):
            members += [
                ("data", .string(s.data)), ("run", .string(s.run)), ("steps", .int(s.steps)), ("seed", .string(String(s.seed))),
                ("resolution", .int(s.resolution)), ("batch", .int(s.batch)), ("architecture", .string(s.architecture)),
                ("augment", .string(s.augment)), ("ngf", .int(s.ngf)), ("ndf", .int(s.ndf)),
            ]
            if let loss = s.loss { members.append(("loss", .string(loss))) }
        case .evaluate(let s):
            members += [
                ("real", .string(s.real)), ("synthetic", .string(s.synthetic)), ("holdout", .string(s.holdout)),
                ("seed", .string(String(s.seed))), ("task", .string(s.task.rawValue)),
            ]
            if let steps = s.steps { members.append(("steps", .int(steps))) }
            if let size = s.size { members.append(("size", .string(size))) }
        case .external(let s):
            members += [("command", .array(s.command.map { .string($0) })), ("parameters", strings(s.parameters))]
            if let classes = s.classes { members.append(("classes", .array(classes.map { .string($0) }))) }
        }
        return JSONValue.object(members).pretty() + "\n"
    }

    static let unitFields: Set<String> = ["dataset", "count", "seed", "shard", "goal"]

    /// The fields each kind may have besides `id` and `kind`.
    static func fields(of kind: Kind) -> Set<String> {
        switch kind {
        case .render: unitFields.union(["recipe", "pins", "size", "samples_per_pixel", "labels", "classes"])
        case .ganSample: unitFields.union(["run", "class"])
        case .ganTrain: ["data", "run", "steps", "seed", "resolution", "batch", "architecture", "loss", "augment", "ngf", "ndf"]
        case .evaluate: ["real", "synthetic", "holdout", "seed", "task", "steps", "size"]
        case .external: unitFields.union(["command", "parameters", "classes"])
        }
    }

    /// Parses a spec; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(EngineError) -> JobSpec {
        let object: JSONValue
        do {
            object = try JSONReader.parse(bytes)
        } catch {
            throw EngineError(.invalidSpec, "\(file): not valid JSON (\(error))")
        }
        guard object.members != nil else { throw EngineError(.invalidSpec, "\(file): a job spec is a JSON object") }
        let f = SpecFields(object: object, file: file)
        guard let kindName = try f.string("kind") else { throw f.missing("kind") }
        guard let kind = Kind(rawValue: kindName) else {
            throw EngineError(
                .invalidSpec, "\(file): unknown kind \"\(kindName)\" (expected \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let allowed = fields(of: kind).union(["id", "kind"])
        if let unknown = f.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw EngineError(
                .invalidSpec,
                "\(file): unknown field \"\(unknown)\" for a \(kind.rawValue) job (expected one of: \(allowed.sorted().joined(separator: ", ")))"
            )
        }
        guard let id = try f.string("id") else { throw f.missing("id") }
        let spec: JobSpec
        switch kind {
        case .render:
            var size: PixelSize?
            if let text = try f.string("size") { size = try PixelSize.parse(text) }
            spec = .render(
                RenderSpec(
                    id: id, units: try f.units(), recipe: try f.required("recipe"), pins: try f.strings("pins") ?? [:], size: size,
                    samplesPerPixel: try f.int("samples_per_pixel"), labels: try f.strings("labels"), classes: try f.list("classes")))
        case .ganSample:
            spec = .ganSample(GANSampleSpec(id: id, units: try f.units(), run: try f.required("run"), className: try f.required("class")))
        case .ganTrain:
            spec = .ganTrain(
                GANTrainSpec(
                    id: id, data: try f.required("data"), run: try f.required("run"), steps: try f.requiredInt("steps"),
                    seed: try f.seed(), resolution: try f.int("resolution") ?? 32, batch: try f.int("batch") ?? 64,
                    architecture: try f.string("architecture") ?? "dcgan", loss: try f.string("loss"),
                    augment: try f.string("augment") ?? "none", ngf: try f.int("ngf") ?? 64,
                    ndf: try f.int("ndf") ?? 64))
        case .evaluate:
            guard let task = EvaluateSpec.Task(rawValue: try f.string("task") ?? "classify") else {
                throw f.bad("task", "classify or detect")
            }
            spec = .evaluate(
                EvaluateSpec(
                    id: id, real: try f.required("real"), synthetic: try f.required("synthetic"), holdout: try f.required("holdout"),
                    seed: try f.seed(), task: task, steps: try f.int("steps"),
                    size: try f.string("size")))
        case .external:
            guard let command = try f.list("command") else { throw f.missing("command") }
            spec = .external(
                ExternalSpec(
                    id: id, units: try f.units(), command: command, parameters: try f.strings("parameters") ?? [:],
                    classes: try f.list("classes")))
        }
        try spec.validate()
        return spec
    }

    /// What every spec must satisfy, however it was made.
    public func validate() throws(EngineError) {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw EngineError(.invalidSpec, "job id \"\(id)\" must be letters, digits, - and _")
        }
        if let units {
            guard units.count >= 1 else { throw EngineError(.invalidSpec, "count must be at least 1, not \(units.count)") }
            let name = units.dataset
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count <= 200 else {
                throw EngineError(.invalidSpec, "a \(kind.rawValue) job needs a dataset name (one folder name, not hidden)")
            }
            if let goal = units.goal, goal.target < 1 { throw EngineError(.invalidSpec, "a goal's target must be at least 1") }
        }
        switch self {
        case .render(let s):
            if let spp = s.samplesPerPixel, !(1...256).contains(spp) { throw EngineError(.invalidSpec, "samples_per_pixel must be 1…256") }
            if let size = s.size, !(8...4096).contains(size.width) || !(8...4096).contains(size.height) {
                throw EngineError(.invalidSpec, "size \(size) is impossible (8…4096 on each side)")
            }
        case .external(let s):
            if s.command.isEmpty { throw EngineError(.invalidSpec, "an external job needs a command") }
        case .ganTrain(let s):
            if s.steps < 1 { throw EngineError(.invalidSpec, "a gan-train job needs at least 1 step") }
            if GANArchitecture.Kind(name: s.architecture) == nil {
                throw EngineError(.invalidSpec, "architecture \(s.architecture.terminalSafe): expected dcgan or resnet")
            }
        case .ganSample, .evaluate: break
        }
        if let classes = units.flatMap({ _ in declaredClasses }), Set(classes).count != classes.count {
            throw EngineError(.invalidSpec, "the class list names a class twice")
        }
    }

    /// The class list the spec itself declares (render and external), if any.
    var declaredClasses: [String]? {
        switch self {
        case .render(let s): s.classes
        case .external(let s): s.classes
        default: nil
        }
    }
}

extension PixelSize {
    /// `WxH`, each side 8…4096.
    public static func parse(_ text: String) throws(EngineError) -> PixelSize {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, (8...4096).contains(parts[0]), (8...4096).contains(parts[1]) else {
            throw EngineError(.invalidSpec, "size \(text): expected WxH, each side 8…4096")
        }
        return PixelSize(width: parts[0], height: parts[1])
    }
}

/// Typed reads of a spec's JSON object, every error naming the file and the field.
private struct SpecFields {
    let object: JSONValue
    let file: String

    var keys: [String] { (object.members ?? []).map(\.0) }

    func missing(_ key: String) -> EngineError { EngineError(.invalidSpec, "\(file): missing \(key)") }

    func bad(_ key: String, _ what: String) -> EngineError { EngineError(.invalidSpec, "\(file): \(key) must be \(what)") }

    func string(_ key: String) throws(EngineError) -> String? {
        guard let value = object[key] else { return nil }
        guard let s = value.string else { throw bad(key, "a string") }
        return s
    }

    func required(_ key: String) throws(EngineError) -> String {
        guard let s = try string(key) else { throw missing(key) }
        return s
    }

    func int(_ key: String) throws(EngineError) -> Int? {
        guard let value = object[key] else { return nil }
        guard let n = value.integer else {
            throw bad(key, "an integer")
        }
        return n
    }

    func requiredInt(_ key: String) throws(EngineError) -> Int {
        guard let n = try int(key) else { throw missing(key) }
        return n
    }

    func seed() throws(EngineError) -> UInt64 {
        guard let text = try string("seed"), let seed = UInt64(text) else { throw bad("seed", "a decimal string") }
        return seed
    }

    func strings(_ key: String) throws(EngineError) -> [String: String]? {
        guard let value = object[key] else { return nil }
        guard let dict = value.members else { throw bad(key, "an object of strings") }
        var out: [String: String] = [:]
        for (k, v) in dict {
            guard let s = v.string else { throw bad("\(key).\(k)", "a string") }
            out[k] = s
        }
        return out
    }

    func list(_ key: String) throws(EngineError) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let list = value.strings else { throw bad(key, "a list of strings") }
        return list
    }

    func units() throws(EngineError) -> UnitPlan {
        guard let count = try int("count") else { throw missing("count") }
        var plan = UnitPlan(dataset: try required("dataset"), count: count, seed: try seed())
        if let text = try string("shard") { plan.shard = try Shard.parse(text) }
        if let raw = object["goal"] {
            guard raw.members != nil else { throw bad("goal", "an object") }
            let g = SpecFields(object: raw, file: "\(file): goal")
            if let unknown = g.keys.sorted().first(where: { !["view", "row", "column", "target"].contains($0) }) {
                throw EngineError(.invalidSpec, "\(file): unknown field goal.\(unknown)")
            }
            plan.goal = Goal(
                view: try g.string("view"), row: try g.required("row"), column: try g.required("column"),
                target: try g.requiredInt("target"))
        }
        return plan
    }
}
