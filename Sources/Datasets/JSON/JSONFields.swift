internal import Foundation

/// Typed access to a parsed JSON object that names the file and field in every error
/// (`annotations.json annotations[12].bbox: expected an array of 4 numbers`).
struct JSONFields {
    let values: [String: Any]
    let file: String
    /// Where this object sits in the document, e.g. `annotations[12]`; empty for the root.
    let field: String

    /// Parses a whole file as a JSON object.
    static func parse(_ bytes: [UInt8], file: String) throws(DatasetsError) -> JSONFields {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw DatasetsError(
                .syntax, path: file, at: Self.lineOfCharacter(in: bytes, error: error), "not valid JSON (\(Self.describe(error)))")
        }
        guard let dict = object as? [String: Any] else {
            throw DatasetsError(.schema, path: file, "the top level is not a JSON object")
        }
        return JSONFields(values: dict, file: file, field: "")
    }

    func path(_ key: String) -> String { field.isEmpty ? key : "\(field).\(key)" }

    func error(_ key: String, _ message: String, code: DatasetsError.Code = .schema) -> DatasetsError {
        DatasetsError(code, path: file, at: path(key), message)
    }

    func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    func array(_ key: String) throws(DatasetsError) -> [Any] {
        guard let raw = values[key] else { throw error(key, "missing (a COCO file needs \"\(key)\")") }
        guard let array = raw as? [Any] else { throw error(key, "expected an array") }
        return array
    }

    func objects(_ key: String) throws(DatasetsError) -> [JSONFields] {
        var out: [JSONFields] = []
        for (i, item) in try array(key).enumerated() {
            guard let dict = item as? [String: Any] else { throw error("\(key)[\(i)]", "expected an object") }
            out.append(JSONFields(values: dict, file: file, field: path("\(key)[\(i)]")))
        }
        return out
    }

    func int(_ key: String) throws(DatasetsError) -> Int {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let number = raw as? NSNumber, !Self.isBool(number), let value = Self.exactInt(number) else {
            throw error(key, "expected an integer, found \(Self.describeValue(raw))")
        }
        return value
    }

    func optionalInt(_ key: String) throws(DatasetsError) -> Int? { has(key) ? try int(key) : nil }

    func double(_ key: String) throws(DatasetsError) -> Double {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let number = raw as? NSNumber, !Self.isBool(number) else {
            throw error(key, "expected a number, found \(Self.describeValue(raw))")
        }
        return number.doubleValue
    }

    func string(_ key: String) throws(DatasetsError) -> String {
        guard let raw = values[key] else { throw error(key, "missing") }
        guard let s = raw as? String else { throw error(key, "expected a string, found \(Self.describeValue(raw))") }
        return s
    }

    func optionalString(_ key: String) throws(DatasetsError) -> String? { has(key) ? try string(key) : nil }

    func numbers(_ key: String) throws(DatasetsError) -> [Double] {
        try Self.numbers(values[key] as Any, error: error(key, "expected an array of numbers"))
    }

    /// An object of scalar values, stringified (`"weather": "snow"`, `"occluded": true` → "true").
    func attributes(_ key: String) throws(DatasetsError) -> [String: String] {
        guard has(key) else { return [:] }
        guard let dict = values[key] as? [String: Any] else { throw error(key, "expected an object of attribute values") }
        var out: [String: String] = [:]
        for (name, value) in dict {
            guard name.utf8.count <= DatasetLimits.attribute else {
                throw error(
                    key, "an attribute name of \(name.utf8.count) bytes (the limit is \(DatasetLimits.attribute))", code: .invalidValue)
            }
            guard let text = Self.scalarText(value), text.utf8.count <= DatasetLimits.attribute else {
                if let text = Self.scalarText(value) {
                    throw error(
                        "\(key).\(name.prefix(80))", "a value of \(text.utf8.count) bytes (the limit is \(DatasetLimits.attribute))",
                        code: .invalidValue)
                }
                throw error("\(key).\(name)", "expected a string, number or boolean, found \(Self.describeValue(value))")
            }
            out[name] = text
        }
        return out
    }

    static func numbers(_ raw: Any, error: DatasetsError) throws(DatasetsError) -> [Double] {
        guard let array = raw as? [Any] else { throw error }
        var out: [Double] = []
        out.reserveCapacity(array.count)
        for item in array {
            guard let n = item as? NSNumber, !isBool(n) else { throw error }
            out.append(n.doubleValue)
        }
        return out
    }

    static func scalarText(_ value: Any) -> String? {
        if let s = value as? String { return s }
        if let n = value as? NSNumber {
            if isBool(n) { return n.boolValue ? "true" : "false" }
            if let i = exactInt(n) { return String(i) }
            return String(n.doubleValue)
        }
        return nil
    }

    /// JSON `true`/`false` arrive as NSNumber with the Objective-C type `c`; numbers never do.
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func exactInt(_ n: NSNumber) -> Int? {
        let d = n.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else { return nil }
        return n.intValue
    }

    static func describeValue(_ raw: Any) -> String {
        switch raw {
        case is NSNull: "null"
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let n as NSNumber: "\(n)"
        default: "\(type(of: raw))"
        }
    }

    /// Foundation reports "around character N"; people want a line number.
    static func lineOfCharacter(in bytes: [UInt8], error: any Error) -> String? {
        let text = describe(error)
        guard let range = text.range(of: "character ") else { return nil }
        let digits = text[range.upperBound...].prefix(while: \.isNumber)
        guard let offset = Int(digits) else { return nil }
        let line = bytes.prefix(offset).reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        return ":\(line)"
    }

    static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if let debug = ns.userInfo["NSDebugDescription"] as? String { return debug }
        return ns.localizedDescription
    }
}
