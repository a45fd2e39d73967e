/// Why JSON text could not be read: what, at which byte, on which line.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Offset of the byte where reading stopped.
    public let offset: Int
    /// 1-based line of that byte.
    public let line: Int
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

/// The project's one JSON reader: bytes to `JSONValue`s, in one linear pass, each number and string
/// decoded once, no Foundation objects. Strict RFC 8259: one value, no trailing commas, no
/// comments, strings valid UTF-8 with legal escapes, nesting limited (`maxDepth`).
///
/// Whole documents parse with `parse`; large ones stream: `read(_:_:)` hands a `JSONReader`
/// positioned at the document, whose `members` and `elements` visit an object's members or an
/// array's elements one at a time, each read as a node or skipped — so a 126 MB COCO file never
/// exists as a tree, only as the model built from it.
///
/// Keys repeated within one object are not an error (the last value wins, as elsewhere) but are
/// recorded in `duplicates`, for `validate` to report.
public struct JSONReader: ~Copyable {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var i = 0
    private var depth = 0
    /// Bytes before `forgotten` may no longer be there (see `forgetConsumed`); they held
    /// `forgottenLines` line breaks.
    private var forgotten = 0
    private var forgottenLines = 0
    public let maxDepth: Int
    /// Keys repeated within one object: the first few, with the line where each repeats.
    public private(set) var duplicates: [(key: String, line: Int)] = []

    private init(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        self.maxDepth = maxDepth
    }

    /// The whole document as a value (a repeated key's last value wins).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONSyntaxError) -> JSONValue {
        try parseNotingDuplicates(bytes, maxDepth: maxDepth).node
    }

    /// The whole document as a value, with the keys repeated in one of its objects and their lines.
    public static func parseNotingDuplicates(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONSyntaxError) -> (
        node: JSONValue, duplicates: [(key: String, line: Int)]
    ) {
        try read(bytes, maxDepth: maxDepth) { reader throws(JSONSyntaxError) in (try reader.node(), reader.duplicates) }
    }

    /// Runs `body` with a reader at the start of `bytes`; checks that nothing but white space
    /// follows the value `body` consumed.
    public static func read<T>(
        _ bytes: [UInt8], maxDepth: Int = 512, _ body: (inout JSONReader) throws(JSONSyntaxError) -> T
    ) throws(JSONSyntaxError) -> T {
        let result: Result<T, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) in try read(buffer, maxDepth: maxDepth, body) }
        }
        return try result.get()
    }

    /// `read(_:maxDepth:_:)` over bytes in memory the caller owns (valid for the whole call).
    public static func read<T>(
        _ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = 512, _ body: (inout JSONReader) throws(JSONSyntaxError) -> T
    ) throws(JSONSyntaxError) -> T {
        var reader = JSONReader(buffer, maxDepth: maxDepth)
        let value = try body(&reader)
        reader.skipSpace()
        if reader.i < reader.end { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    /// Declares everything read so far as never to be looked at again and returns its length:
    /// the caller may give those bytes back (`ConsumableFile.release`). Lines stay counted.
    public mutating func forgetConsumed() -> Int {
        forgottenLines = linesBetween(forgotten, i)
        forgotten = i
        return i
    }

    // MARK: Streaming

    /// What comes next.
    public enum Kind: Sendable { case object, array, string, number, bool, null }

    public mutating func peek() throws(JSONSyntaxError) -> Kind {
        skipSpace()
        guard i < end else { throw error("the JSON ends where a value should be") }
        switch base[i] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character '\(Self.show(base[i]))'")
        }
    }

    /// Visits an object's members in order; `body` must consume each value (read or skip it).
    public mutating func members(_ body: (String, inout JSONReader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "an object")
        try enter()
        var seen = SeenKeys()
        skipSpace()
        if i < end, base[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return
        }
        while true {
            skipSpace()
            let keyOffset = i
            let key = try readString()
            if !seen.insert(key) { noteDuplicate(key, keyOffset) }
            try expect(UInt8(ascii: ":"), "':' after a key")
            try body(key, &self)
            skipSpace()
            guard i < end else { throw error("the JSON ends inside an object") }
            if base[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if base[i] == UInt8(ascii: "}") {
                i += 1
                break
            }
            throw error("expected ',' or '}' in an object, found '\(Self.show(base[i]))'")
        }
        depth -= 1
    }

    /// Visits an array's elements in order; `body` gets each element's index and must consume it.
    public mutating func elements(_ body: (Int, inout JSONReader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["), "an array")
        try enter()
        skipSpace()
        if i < end, base[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return
        }
        var index = 0
        while true {
            try body(index, &self)
            index += 1
            skipSpace()
            guard i < end else { throw error("the JSON ends inside an array") }
            if base[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if base[i] == UInt8(ascii: "]") {
                i += 1
                break
            }
            throw error("expected ',' or ']' in an array, found '\(Self.show(base[i]))'")
        }
        depth -= 1
    }

    /// The next value, whole.
    public mutating func node() throws(JSONSyntaxError) -> JSONValue {
        switch try peek() {
        case .object:
            var members: [(String, JSONValue)] = []
            try self.members { key, reader throws(JSONSyntaxError) in members.append((key, try reader.node())) }
            return .object(members)
        case .array:
            var array: [JSONValue] = []
            try elements { _, reader throws(JSONSyntaxError) in array.append(try reader.node()) }
            return .array(array)
        case .string: return .string(try readString())
        case .number: return try readNumber()
        case .bool:
            if matches("true") { return .bool(true) }
            if matches("false") { return .bool(false) }
            throw error("unexpected word")
        case .null:
            if matches("null") { return .null }
            throw error("unexpected word")
        }
    }

    /// Skips the next value (checked as strictly as reading it, nothing kept).
    public mutating func skip() throws(JSONSyntaxError) {
        switch try peek() {
        case .object: try members { _, reader throws(JSONSyntaxError) in try reader.skip() }
        case .array: try elements { _, reader throws(JSONSyntaxError) in try reader.skip() }
        case .string: _ = try readString()
        default: _ = try node()
        }
    }

    /// The 1-based line of a byte offset at or after what was forgotten (counted when an error
    /// or a repeated key needs it, never while reading).
    public func line(of offset: Int) -> Int { linesBetween(forgotten, max(forgotten, offset)) + 1 }

    /// Line breaks before `to`, counting from those known before `from`.
    private func linesBetween(_ from: Int, _ to: Int) -> Int {
        var lines = forgottenLines
        for k in from..<min(to, end) where base[k] == 0x0A { lines += 1 }
        return lines
    }

    /// The offset reading has reached.
    public var offset: Int { i }

    // MARK: Scalars

    private mutating func readString() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = i
        var ascii = true
        // The fast path: no escapes.
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                let bytes = UnsafeBufferPointer(start: base + start, count: i - start)
                i += 1
                if ascii { return String(decoding: bytes, as: UTF8.self) }
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8", at: start)
                }
                return text
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("a control character inside a string") }
            if b >= 0x80 { ascii = false }
            i += 1
        }
        // Escapes: decode into bytes, then validate once.
        var out = [UInt8](UnsafeBufferPointer(start: base + start, count: i - start))
        while i < end {
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8", at: start) }
                return text
            }
            if b < 0x20 { throw error("a control character inside a string") }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < end else { break }
            let e = base[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard i + 1 < end, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") else {
                        throw error("a lone surrogate in a \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("a lone surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("a lone surrogate in a \\u escape")
                }
                out.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
            default: throw error("an unknown escape '\\\(Self.show(e))' in a string")
            }
        }
        throw error("the JSON ends inside a string", at: start)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard i + 4 <= end else { throw error("a \\u escape is cut short") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = base[i]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - 55)
            default: throw error("a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            i += 1
        }
        return value
    }

    private mutating func readNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = i
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) else { throw error("a number needs a digit", at: start) }
        if base[i] == UInt8(ascii: "0"), i + 1 < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i + 1]) {
            throw error("a number may not start with 0", at: start)
        }
        var integer: UInt64 = 0
        var exact = true  // the digits so far fit 64 bits
        while i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) {
            let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(base[i] - 48))
            if o1 || o2 { exact = false }
            integer = sum
            i += 1
        }
        var fractional = false
        if i < end, base[i] == UInt8(ascii: ".") {
            fractional = true
            i += 1
            guard i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) else {
                throw error("a digit must follow '.'", at: start)
            }
            while i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) { i += 1 }
        }
        if i < end, base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E") {
            fractional = true
            i += 1
            if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) else {
                throw error("an exponent needs a digit", at: start)
            }
            while i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[i]) { i += 1 }
        }
        if !fractional, exact {
            if !negative, integer <= UInt64(Int.max) { return .int(Int(integer)) }
            if negative, integer <= UInt64(Int.max) + 1 { return .int(Int(truncatingIfNeeded: 0 &- integer)) }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("the number \(text.prefix(40)) is out of range", at: start) }
        return .double(value)
    }

    // MARK: Helpers

    /// The keys of one object so far: a short list scanned for the small objects that make up
    /// nearly every document (a COCO annotation has ~8 keys), a set past 16 keys.
    private struct SeenKeys {
        private var few: [String] = []
        private var many: Set<String>?

        mutating func insert(_ key: String) -> Bool {
            if many != nil { return many!.insert(key).inserted }
            if few.contains(key) { return false }
            few.append(key)
            if few.count > 16 { many = Set(few) }
            return true
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth) levels") }
    }

    private mutating func noteDuplicate(_ key: String, _ offset: Int) {
        if duplicates.count < 16 { duplicates.append((key, line(of: offset))) }
    }

    private mutating func skipSpace() {
        while i < end {
            switch base[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipSpace()
        guard i < end else { throw error("the JSON ends where \(what) should be") }
        guard base[i] == byte else { throw error("expected \(what), found '\(Self.show(base[i]))'") }
        i += 1
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= end else { return false }
        for k in 0..<n where base[i + k] != word.utf8Start[k] { return false }
        i += n
        return true
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = offset ?? i
        return JSONSyntaxError(offset: at, line: line(of: at), message: message)
    }

    private static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}
