import Foundation
import StudioCore
import Testing

@Suite("JSON reader")
struct JSONReaderTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    func failure(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("values of every kind, members in file order, integers kept exact")
    func values() throws {
        let value = try parse(#" {"b": [1, -2, 3.5, 1e2, true, false, null], "a": {"x": "y"}, "big": 12345678901234567890, "n": -0} "#)
        #expect(value.members?.map(\.0) == ["b", "a", "big", "n"])
        #expect(value["b"]?.array == [.int(1), .int(-2), .double(3.5), .double(100), .bool(true), .bool(false), .null])
        #expect(value["a"]?["x"]?.string == "y")
        #expect(value["big"] == .double(12_345_678_901_234_567_168), "past 64 bits an integer is a double (the nearest one)")
        #expect(value["n"]?.integer == 0)
        #expect(try parse("9223372036854775807").integer == Int.max)
        #expect(try parse("-9223372036854775808").integer == Int.min)
        #expect(try parse("3.0").integer == 3, "JSON has one number type")
        #expect(try parse("3.5").integer == nil)
        #expect(try parse("1e30").integer == nil)
    }

    @Test("escapes, surrogate pairs and UTF-8 decode once to the same text")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#).string == "a\"b\\c/d\u{8}\u{c}\n\r\t")
        #expect(try parse(#""\u00e9\u4e2d\ud83d\ude00""#).string == "é中😀")
        #expect(try parse("\"é中😀\"").string == "é中😀")
        #expect(try parse(#""mixed é \n""#).string == "mixed é \n")
    }

    @Test(
        "malformed text is refused with the line it stops on",
        arguments: [
            ("", "ends where a value"), ("{", "ends"), ("[1,]", "unexpected character"), ("{\"a\":1,}", "expected a string"),
            ("[1 2]", "expected ','"), ("01", "may not start with 0"), ("1.", "digit must follow"), ("1e", "exponent"),
            ("-", "needs a digit"), ("1e400", "out of range"), ("NaN", "unexpected character"), ("tru", "unexpected word"),
            ("\"a", "ends inside a string"), ("\"\\x\"", "unknown escape"), ("\"\\ud800\"", "lone surrogate"),
            ("\"\\udc00\"", "lone surrogate"), ("\"\\u12\"", "cut short"), ("\"\\u12zz\"", "four hex digits"),
            ("\"a\u{1}b\"", "control character"),
            ("{} {}", "after the JSON value"), ("{1: 2}", "expected a string"), ("{\"a\" 1}", "':'"),
            ("// comment\n{}", "unexpected character"),
        ])
    func malformed(text: String, message: String) {
        let error = failure(text)
        #expect(error != nil, "\(text.debugDescription) was accepted")
        #expect(error?.message.contains(message) == true, "\(String(describing: error)) for \(text.debugDescription)")
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        var bytes = Array("[\"ab".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"]".utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(bytes) }
        // A lone continuation byte after an escape, too.
        #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(Array("\"\\n".utf8) + [0x80] + Array("\"".utf8)) }
    }

    @Test("errors name the line they stop on")
    func lines() {
        #expect(failure("{\n\"a\": 1,\n\"b\": ?\n}")?.line == 3)
        #expect(failure("[\n1,\n2,\n]")?.line == 4)
    }

    @Test("nesting past the limit is an error, not a stack overflow")
    func depth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(failure(deep)?.message.contains("nested deeper") == true)
        let fine = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try parse(fine).array != nil)
        #expect(throws: JSONSyntaxError.self) { try JSONReader.parse(Array(fine.utf8), maxDepth: 511) }
    }

    @Test("repeated keys: the last value wins and each repeat is noted with its line")
    func duplicates() throws {
        let (value, duplicates) = try JSONReader.parseNotingDuplicates(Array("{\"id\": 1,\n\"id\": 2, \"o\": {\"k\": 1, \"k\": 2}}".utf8))
        #expect(value["id"] == .int(2))
        #expect(duplicates.map(\.key) == ["id", "k"])
        #expect(duplicates.map(\.line) == [2, 2])
        // Keys are compared as text, past the short list too.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(try JSONReader.parseNotingDuplicates(Array("{\(many), \"k39\": 0}".utf8)).duplicates.map(\.key) == ["k39"])
        #expect(try JSONReader.parseNotingDuplicates(Array("{\(many)}".utf8)).duplicates.isEmpty)
    }

    @Test("streaming: members and elements visited in order, the rest skipped and still checked")
    func streaming() throws {
        let text = #"{"skip": {"deep": [1, {"x": null}]}, "items": [{"v": 1}, {"v": 2}, {"v": 3}], "tail": "t"}"#
        var seen: [String] = []
        var values: [Int] = []
        try JSONReader.read(Array(text.utf8)) { reader throws(JSONSyntaxError) in
            try reader.members { key, reader throws(JSONSyntaxError) in
                seen.append(key)
                if key == "items" {
                    #expect(try reader.peek() == .array)
                    try reader.elements { index, reader throws(JSONSyntaxError) in
                        values.append((try reader.node()["v"]?.integer ?? -1) * 10 + index)
                    }
                } else {
                    try reader.skip()
                }
            }
        }
        #expect(seen == ["skip", "items", "tail"])
        #expect(values == [10, 21, 32])
        // Skipping is as strict as reading.
        #expect(throws: JSONSyntaxError.self) {
            try JSONReader.read(Array(#"{"skip": [1, 2,], "k": 1}"#.utf8)) { reader throws(JSONSyntaxError) in
                try reader.members { _, reader throws(JSONSyntaxError) in try reader.skip() }
            }
        }
    }

    @Test("what JSONValue writes reads back the same, and agrees with Foundation's parser")
    func roundTrip() throws {
        var random = RandomStream(seed: 42)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        // Both sides as plain values: numbers as doubles, object members by key (the last of a
        // repeated key), so the comparison is of meaning, not of Foundation's bridging.
        func plain(_ value: JSONValue) -> JSONValue {
            switch value {
            case .int(let i): .double(Double(i))
            case .array(let items): .array(items.map(plain))
            case .object(let members):
                .object(
                    Dictionary(members.map { ($0.0, plain($0.1)) }, uniquingKeysWith: { $1 }).sorted { $0.key < $1.key }.map {
                        ($0.key, $0.value)
                    })
            default: value
            }
        }
        func plain(_ any: Any) -> JSONValue {
            switch any {
            case is NSNull: return .null
            case let n as NSNumber where String(cString: n.objCType) == "c": return .bool(n.boolValue)
            case let n as NSNumber: return .double(n.doubleValue)
            case let s as String: return .string(s)
            case let a as [Any]: return .array(a.map { plain($0) })
            case let d as [String: Any]: return .object(d.sorted { $0.key < $1.key }.map { ($0.key, plain($0.value)) })
            default: return .string("unexpected \(type(of: any))")
            }
        }
        func make(_ level: Int) -> JSONValue {
            switch below(level > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(below(2) == 1)
            case 2: return .int(below(2_000_001) - 1_000_000)
            case 3: return .double(Double(below(1_000_000)) / 64 + 0.5)
            case 4:
                let scalars = (0..<below(8)).map { _ in
                    ["a", "\"", "\\", "\n", "\u{1}", "é", "中", "😀", " ", "\u{7f}"][below(10)]
                }
                return .string(scalars.joined())
            case 5: return .array((0..<below(5)).map { _ in make(level + 1) })
            default: return .object((0..<below(5)).map { k in ("k\(k)\(["", "é", "\n"][below(3)])", make(level + 1)) })
            }
        }
        for _ in 0..<300 {
            let value = make(0)
            let text = value.serialized()
            let read = try parse(text)
            #expect(read.serialized() == text)
            #expect(try parse(value.pretty()).serialized() == text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(plain(read) == plain(theirs as Any), "\(text)")
        }
    }
}
