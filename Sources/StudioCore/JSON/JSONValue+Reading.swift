/// Reading a parsed `JSONValue` (what `JSONReader` builds): typed views of one value, no
/// Foundation objects and no bridging, so looking at a key never converts its neighbours.
///
/// Numbers written without a fraction or exponent that fit 64 bits are read as `.int`; every
/// other number is `.double`. Objects keep their members in file order; a key is looked up by a
/// scan (the project reads small objects whole and streams large ones with `JSONReader.members`).
extension JSONValue {
    public var isNull: Bool { if case .null = self { true } else { false } }

    public var string: String? { if case .string(let s) = self { s } else { nil } }

    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// An object's members in file order.
    public var members: [(String, JSONValue)]? { if case .object(let m) = self { m } else { nil } }

    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// A member of an object (the last one, as JSON parsers do, when a key is repeated); nil for
    /// a missing key or a value that is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// A number as a double (an integer converted), nil for anything else.
    public var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// An integer: `.int`, or a `.double` with no fraction that fits (JSON has one number type;
    /// `3.0` is 3). Nil for anything else.
    public var integer: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.isFinite, d == d.rounded(), abs(d) < 9e15 else { return nil }
            return Int(d)
        default: return nil
        }
    }

    /// `a string`, `an array`, `null`, `3.5`: how a value is named in an error (never its text,
    /// which may be long or hostile).
    public var described: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// An object whose every value is a string, as a dictionary (a repeated key's last value
    /// wins); nil for anything else.
    public var stringDictionary: [String: String]? {
        guard let members else { return nil }
        var out: [String: String] = [:]
        for (key, value) in members {
            guard let text = value.string else { return nil }
            out[key] = text
        }
        return out
    }

    /// An array of numbers as doubles; nil when anything in it is not a number.
    public var numbers: [Double]? { elements(\.number) }

    /// An array of integers (`integer` of each); nil when anything in it is not one.
    public var integers: [Int]? { elements(\.integer) }

    /// An array of strings; nil when anything in it is not a string.
    public var strings: [String]? { elements(\.string) }

    /// Each element of an array through `read`; nil for anything but an array, or when `read`
    /// gives nil for one element.
    private func elements<T>(_ read: (JSONValue) -> T?) -> [T]? {
        guard let array else { return nil }
        var out: [T] = []
        out.reserveCapacity(array.count)
        for item in array {
            guard let value = read(item) else { return nil }
            out.append(value)
        }
        return out
    }
}

extension JSONValue {
    /// A scalar as text (`"snow"` → snow, `true` → true, `3.0` → 3, `0.5` → 0.5); nil for null,
    /// arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 9e15 ? String(Int(d)) : String(d)
        default: nil
        }
    }
}
