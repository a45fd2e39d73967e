internal import Yams

/// A YAML node with the file and field it came from, so every error names the line
/// (`studio.yaml:7: datasets[1].origin: expected "real" or "synthetic", found "fake"`).
package struct YAMLFields {
    let node: Node
    package let file: String
    /// Where the node sits (`datasets[1].origin`); empty for the root.
    package let field: String

    /// Parses a whole document; an empty document is an empty mapping.
    package static func parse(_ text: String, file: String) throws(DatasetsError) -> YAMLFields {
        do {
            let node = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
            return YAMLFields(node: node, file: file, field: "")
        } catch let error as YamlError {
            throw DatasetsError(.syntax, path: file, at: Self.line(of: error), "not valid YAML (\(Self.describe(error)))")
        } catch {
            throw DatasetsError(.syntax, path: file, "not valid YAML (\(error))")
        }
    }

    /// `:LINE field` for error messages.
    package var location: String {
        let line = node.mark.map { ":\($0.line)" } ?? ""
        return field.isEmpty ? line : "\(line) \(field)"
    }

    package func error(_ message: String, code: DatasetsError.Code = .schema) -> DatasetsError {
        DatasetsError(code, path: file, at: location, message)
    }

    /// The members of a mapping, refusing keys not in `allowed` (nil allows any).
    package func mapping(allowed: Set<String>? = nil) throws(DatasetsError) -> [(key: String, value: YAMLFields)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys to values, found \(kind)") }
        var out: [(String, YAMLFields)] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let keyFields = YAMLFields(node: keyNode, file: file, field: field)
            guard case .scalar(let scalar) = keyNode else { throw keyFields.error("a key must be a plain value") }
            let key = scalar.string
            let child = YAMLFields(node: valueNode, file: file, field: field.isEmpty ? key : "\(field).\(key)")
            if let allowed, !allowed.contains(key) {
                let expected = allowed.sorted().joined(separator: ", ")
                throw child.error("unknown key \"\(key)\" (expected one of: \(expected))")
            }
            guard seen.insert(key).inserted else { throw child.error("key \"\(key)\" appears twice") }
            out.append((key, child))
        }
        return out
    }

    /// A mapping as a dictionary (same checks as `mapping(allowed:)`).
    package func dictionary(allowed: Set<String>? = nil) throws(DatasetsError) -> [String: YAMLFields] {
        Dictionary(try mapping(allowed: allowed).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    package func sequence() throws(DatasetsError) -> [YAMLFields] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { YAMLFields(node: $1, file: file, field: "\(field)[\($0)]") }
    }

    package var isSequence: Bool { if case .sequence = node { true } else { false } }
    package var isMapping: Bool { if case .mapping = node { true } else { false } }
    package var isNull: Bool { if case .scalar = node, node.null != nil { true } else { false } }

    package func string() throws(DatasetsError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a single value, found \(kind)") }
        return scalar.string
    }

    package func int() throws(DatasetsError) -> Int {
        guard case .scalar = node, let value = node.int else { throw error("expected an integer, found \(describeValue)") }
        return value
    }

    package func double() throws(DatasetsError) -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else { throw error("expected a number, found \(describeValue)") }
        return value
    }

    package func bool() throws(DatasetsError) -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error("expected true or false, found \(describeValue)") }
        return value
    }

    /// A value from a closed set, by its raw string.
    package func choice<T: RawRepresentable>(_ type: T.Type, expected: [T]) throws(DatasetsError) -> T where T.RawValue == String {
        let raw = try string()
        guard let value = T(rawValue: raw) else {
            throw error(
                "expected \(expected.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")), found \"\(raw)\"", code: .invalidValue)
        }
        return value
    }

    private var kind: String {
        switch node {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private var describeValue: String {
        if case .scalar(let scalar) = node { return "\"\(scalar.string)\"" }
        return kind
    }

    private static func line(of error: YamlError) -> String? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return ":\(mark.line)"
        default:
            return nil
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}
