internal import StudioCore

/// Typed access to a parsed JSON object that names the file and field in every error
/// (`annotations.json annotations[12].bbox: expected an array of 4 numbers`). Built on
/// `JSONReader`'s nodes: reading a key costs a lookup, never a conversion of its neighbours.
struct JSONFields {
    let values: JSONValue
    let file: String
    /// Where this object sits in the document, e.g. `annotations[12]`; empty for the root.
    let field: String

    init(values: JSONValue, file: String, field: String) {
        self.values = values
        self.file = file
        self.field = field
    }

    /// Parses a whole document as a JSON object.
    static func parse(_ bytes: [UInt8], file: String) throws(DatasetsError) -> JSONFields {
        let node: JSONValue
        do {
            node = try JSONReader.parse(bytes)
        } catch {
            throw syntaxError(error, file: file)
        }
        guard case .object = node else { throw DatasetsError(.schema, path: file, "the top level is not a JSON object") }
        return JSONFields(values: node, file: file, field: "")
    }

    /// A reader's error as the dataset error every JSON file gives: `not valid JSON (…)` at its line.
    static func syntaxError(_ error: JSONSyntaxError, file: String) -> DatasetsError {
        DatasetsError(.syntax, path: file, at: ":\(error.line)", "not valid JSON (\(error.message))")
    }

    func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    func error(_ key: String, _ message: String, code: DatasetsError.Code = .schema) -> DatasetsError {
        DatasetsError(code, path: file, at: path(key), message)
    }

    func has(_ key: String) -> Bool { values[key].map { !$0.isNull } ?? false }

    func array(_ key: String) throws(DatasetsError) -> [JSONValue] {
        guard let raw = values[key] else { throw error(key, "missing (a COCO file needs \"\(key)\")") }
        guard let array = raw.array else { throw error(key, "expected an array") }
        return array
    }

    func objects(_ key: String) throws(DatasetsError) -> [JSONFields] {
        var out: [JSONFields] = []
        for (i, item) in try array(key).enumerated() {
            guard case .object = item else { throw error("\(key)[\(i)]", "expected an object") }
            out.append(JSONFields(values: item, file: file, field: path("\(key)[\(i)]")))
        }
        return out
    }

    func int(_ key: String) throws(DatasetsError) -> Int {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let value = raw.integer else { throw error(key, "expected an integer, found \(raw.described)") }
        return value
    }

    func optionalInt(_ key: String) throws(DatasetsError) -> Int? { has(key) ? try int(key) : nil }

    func double(_ key: String) throws(DatasetsError) -> Double {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let number = raw.number else { throw error(key, "expected a number, found \(raw.described)") }
        return number
    }

    func string(_ key: String) throws(DatasetsError) -> String {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let s = raw.string else { throw error(key, "expected a string, found \(raw.described)") }
        return s
    }

    func optionalString(_ key: String) throws(DatasetsError) -> String? { has(key) ? try string(key) : nil }

    func numbers(_ key: String) throws(DatasetsError) -> [Double] {
        try Self.numbers(values[key] ?? .null, error: error(key, "expected an array of numbers"))
    }

    /// An object of scalar values, stringified (`"weather": "snow"`, `"occluded": true` → "true").
    func attributes(_ key: String) throws(DatasetsError) -> [String: String] {
        guard has(key) else { return [:] }
        guard let members = values[key]?.members else { throw error(key, "expected an object of attribute values") }
        var out: [String: String] = [:]
        for (name, value) in members {
            guard name.utf8.count <= DatasetLimits.attribute else {
                throw error(
                    key, "an attribute name of \(name.utf8.count) bytes (the limit is \(DatasetLimits.attribute))", code: .invalidValue)
            }
            guard let text = value.scalarText else {
                throw error("\(key).\(name)", "expected a string, number or boolean, found \(value.described)")
            }
            guard text.utf8.count <= DatasetLimits.attribute else {
                throw error(
                    "\(key).\(name.prefix(80))", "a value of \(text.utf8.count) bytes (the limit is \(DatasetLimits.attribute))",
                    code: .invalidValue)
            }
            out[name] = text
        }
        return out
    }

    static func numbers(_ raw: JSONValue, error: DatasetsError) throws(DatasetsError) -> [Double] {
        guard let numbers = raw.numbers else { throw error }
        return numbers
    }
}
