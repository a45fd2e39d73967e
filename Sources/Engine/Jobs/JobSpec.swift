public import Datasets
internal import Foundation

/// What a job does, written to `.studio/jobs/<id>/spec.json` and handed to its worker.
///
/// Parsing is strict: an unknown kind or field, a missing or wrongly typed value is an error
/// naming it, so a typo never silently runs a different job.
public struct JobSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case render
        case ganTrain = "gan-train"
        case ganSample = "gan-sample"
        case evaluate
        /// Any command that speaks the event protocol (a GPU box, a cluster scheduler).
        case external

        /// Whether the job writes images into a synthetic dataset.
        public var writesDataset: Bool { self == .render || self == .ganSample || self == .external }

        /// How the job's dataset is laid out: GAN samples are one class per image (an ImageFolder),
        /// everything else COCO + YOLO.
        public var datasetFormat: DatasetFormat { self == .ganSample ? .imageFolder : .coco }
        public var commitLayout: DatasetCommitter.Layout { self == .ganSample ? .imageFolder : .coco }

        /// Parameters that name files or datasets (resolved against the workspace when the job is
        /// queued, so the worker finds them wherever it runs), and which of them are required.
        public var pathParameters: [String] {
            switch self {
            case .ganTrain: ["data", "run"]
            case .ganSample: ["run"]
            case .evaluate: ["real", "synthetic", "holdout"]
            case .render, .external: []
            }
        }
    }

    /// Which part of a job a run covers: indices `i` with `i % count == index`.
    public struct Shard: Sendable, Hashable, CustomStringConvertible {
        public let index: Int
        public let count: Int

        public init(index: Int, count: Int) throws(EngineError) {
            guard count >= 1, index >= 0, index < count else {
                throw EngineError(.invalidSpec, "shard \(index)/\(count) is impossible: need 0 ≤ k < n")
            }
            self.index = index
            self.count = count
        }

        public static let whole = try! Shard(index: 0, count: 1)

        /// The unit indices of `0..<total` this shard renders.
        public func indices(of total: Int) -> StrideTo<Int> { stride(from: index, to: total, by: count) }

        public var description: String { "\(index)/\(count)" }
    }

    public var id: String
    public var kind: Kind
    /// The synthetic dataset the job writes (jobs that write one).
    public var dataset: String?
    /// Units to produce.
    public var count: Int
    public var seed: UInt64
    /// Parameters pinned with `--set key=value` (a render recipe's weather, a GAN's class, …).
    public var parameters: [String: String]
    /// Scene recipe (render), relative to the workspace.
    public var recipe: String?
    /// Command and arguments (external).
    public var command: [String]?
    public var shard: Shard

    public init(
        id: String, kind: Kind, dataset: String?, count: Int, seed: UInt64, parameters: [String: String] = [:], recipe: String? = nil,
        command: [String]? = nil, shard: Shard = .whole
    ) throws(EngineError) {
        self.id = id
        self.kind = kind
        self.dataset = dataset
        self.count = count
        self.seed = seed
        self.parameters = parameters
        self.recipe = recipe
        self.command = command
        self.shard = shard
        try validate()
    }

    private func validate() throws(EngineError) {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw EngineError(.invalidSpec, "job id \"\(id)\" must be letters, digits, - and _")
        }
        guard count >= 1 else { throw EngineError(.invalidSpec, "count must be at least 1, not \(count)") }
        if kind.writesDataset {
            guard let dataset, !dataset.isEmpty, !dataset.contains("/"), dataset != ".", dataset != ".." else {
                throw EngineError(.invalidSpec, "a \(kind.rawValue) job needs a dataset name (one folder name)")
            }
        }
        if kind == .external, command?.isEmpty ?? true { throw EngineError(.invalidSpec, "an external job needs a command") }
        if kind == .render, recipe == nil { throw EngineError(.invalidSpec, "a render job needs a recipe") }
    }

    static let fields: Set<String> = ["id", "kind", "dataset", "count", "seed", "parameters", "recipe", "command", "shard"]

    /// The spec as JSON (keys in a fixed order).
    public func json() -> String {
        var members: [(String, JSONValue)] = [("id", .string(id)), ("kind", .string(kind.rawValue))]
        if let dataset { members.append(("dataset", .string(dataset))) }
        members.append(("count", .int(count)))
        members.append(("seed", .string(String(seed))))
        members.append(("parameters", .object(parameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        if let recipe { members.append(("recipe", .string(recipe))) }
        if let command { members.append(("command", .array(command.map { .string($0) }))) }
        members.append(("shard", .string(shard.description)))
        return JSONValue.object(members).pretty() + "\n"
    }

    /// Parses a spec; `file` names it in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(EngineError) -> JobSpec {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw EngineError(.invalidSpec, "\(file): a job spec is a JSON object")
            }
            object = parsed
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.invalidSpec, "\(file): not valid JSON")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw EngineError(
                .invalidSpec, "\(file): unknown field \"\(unknown)\" (expected one of: \(fields.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) throws(EngineError) -> String? {
            guard let value = object[key] else { return nil }
            guard let s = value as? String else { throw EngineError(.invalidSpec, "\(file): \(key) must be a string") }
            return s
        }
        guard let id = try string("id") else { throw EngineError(.invalidSpec, "\(file): missing id") }
        guard let kindName = try string("kind") else { throw EngineError(.invalidSpec, "\(file): missing kind") }
        guard let kind = Kind(rawValue: kindName) else {
            throw EngineError(
                .invalidSpec, "\(file): unknown kind \"\(kindName)\" (expected \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let number = object["count"] as? NSNumber, String(cString: number.objCType) != "c",
            let count = Int(exactly: number.doubleValue)
        else {
            throw EngineError(.invalidSpec, "\(file): count must be an integer")
        }
        guard let seedText = try string("seed"), let seed = UInt64(seedText) else {
            throw EngineError(.invalidSpec, "\(file): seed must be a decimal string")
        }
        var parameters: [String: String] = [:]
        if let raw = object["parameters"] {
            guard let dict = raw as? [String: Any] else { throw EngineError(.invalidSpec, "\(file): parameters must be an object") }
            for (k, v) in dict {
                guard let s = v as? String else { throw EngineError(.invalidSpec, "\(file): parameter \(k) must be a string") }
                parameters[k] = s
            }
        }
        var command: [String]?
        if let raw = object["command"] {
            guard let list = raw as? [String] else { throw EngineError(.invalidSpec, "\(file): command must be a list of strings") }
            command = list
        }
        var shard = Shard.whole
        if let text = try string("shard") { shard = try parseShard(text) }
        return try JobSpec(
            id: id, kind: kind, dataset: try string("dataset"), count: count, seed: seed, parameters: parameters,
            recipe: try string("recipe"),
            command: command, shard: shard)
    }

    /// `k/n`.
    public static func parseShard(_ text: String) throws(EngineError) -> Shard {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw EngineError(.invalidSpec, "shard \"\(text)\" must be k/n, e.g. 0/4")
        }
        return try Shard(index: k, count: n)
    }
}
