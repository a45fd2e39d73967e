public import Datasets
internal import ImageIO
internal import StudioCore

/// The workspace's latest detection evaluation (`report.json` of `evaluate --task detect` or of
/// an evaluate job), as AP50 per class and per class under each condition, so the Coverage
/// screen can show where the model fails beside where the counts are short, and the planner
/// can fill the weakest cells.
public struct EvaluationCells: Sendable {
    /// The report file.
    public var path: String
    /// The mix shown: real + synthetic when the report has it, else its first.
    public var mix: String
    /// The real-only mix, when the report has both, for the change synthetic data made.
    public var baseline: String?
    /// Per mix: class → AP50 over the holdout, and attribute → value → class → AP50.
    var overall: [String: [String: Double]] = [:]
    var conditions: [String: [String: [String: [String: Double]]]] = [:]

    /// Largest report read (a report of a few classes and conditions is kilobytes).
    static let maxBytes = 16 << 20

    /// The newest `report.json` under `.studio/jobs/*/evaluation/` and `.studio/evaluations/*/`.
    public static func latest(in root: String) -> EvaluationCells? {
        var candidates: [(path: String, modified: Double)] = []
        for (folder, inner) in [("\(root)/.studio/jobs", "evaluation/report.json"), ("\(root)/.studio/evaluations", "report.json")] {
            for entry in (try? FileIO.list(folder)) ?? [] where entry.kind == .directory {
                let path = "\(folder)/\(entry.name)/\(inner)"
                if let modified = FileIO.modificationTime(path) { candidates.append((path, modified)) }
            }
        }
        for candidate in candidates.sorted(by: { $0.modified > $1.modified }) {
            if let cells = read(candidate.path) { return cells }
        }
        return nil
    }

    /// A report file, or nil when it is not a readable detection report.
    public static func read(_ path: String) -> EvaluationCells? {
        guard let bytes = try? FileIO.read(path, limit: maxBytes), case .object(let top)? = try? JSONReader.parse(bytes),
            case .array(let mixes)? = top.first(where: { $0.0 == "mixes" })?.1
        else { return nil }
        func number(_ v: JSONValue?) -> Double? {
            switch v {
            case .double(let d)?: d
            case .int(let i)?: Double(i)
            default: nil
            }
        }
        func field(_ members: [(String, JSONValue)], _ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        var cells = EvaluationCells(path: path, mix: "", baseline: nil)
        var names: [String] = []
        for case .object(let m) in mixes {
            guard case .string(let name)? = field(m, "mix") else { continue }
            names.append(name)
            if case .object(let perClass)? = field(m, "per_class") {
                for case (let cls, .object(let scores)) in perClass {
                    cells.overall[name, default: [:]][cls] = number(field(scores, "ap50"))
                }
            }
            if case .array(let conditions)? = field(m, "conditions") {
                for case .object(let c) in conditions {
                    guard case .string(let attribute)? = field(c, "attribute"), case .string(let value)? = field(c, "value"),
                        case .object(let perClass)? = field(c, "per_class_ap50")
                    else { continue }
                    for (cls, score) in perClass {
                        cells.conditions[name, default: [:]][attribute, default: [:]][value, default: [:]][cls] = number(score)
                    }
                }
            }
        }
        guard let first = names.first else { return nil }
        cells.mix = names.contains("real+synthetic") ? "real+synthetic" : first
        cells.baseline = names.contains("real") && cells.mix != "real" ? "real" : nil
        return cells
    }

    /// AP50 of a coverage cell under `mix` (nil: the mix shown), when the report scored it: the
    /// class is the category axis; the other axis an attribute the report has as a condition, or
    /// none (the class over the whole holdout).
    public func ap50(row: String, column: String, spec: CoverageSpec, mix: String? = nil) -> Double? {
        let mix = mix ?? self.mix
        let (cls, other): (String, CoverageAxis?)
        if spec.rows == .category {
            (cls, other) = (row, spec.columns)
        } else if spec.columns == .category {
            (cls, other) = (column, spec.rows)
        } else {
            return nil
        }
        let value = spec.rows == .category ? column : row
        switch other {
        case nil: return overall[mix]?[cls]
        case .attribute(let name)?: return conditions[mix]?[name]?[value]?[cls]
        default: return nil
        }
    }
}
