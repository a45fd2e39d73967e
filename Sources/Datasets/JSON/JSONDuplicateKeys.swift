/// Finds keys that appear twice in one JSON object. JSON parsers keep the last value silently, so
/// `{"id": 1, "id": 2}` would be read as id 2 with nothing said; `validate` reports it.
///
/// One pass over the bytes, linear in the file's size, nothing allocated but the keys of the
/// objects still open. Assumes the bytes already parsed as JSON (it does not validate).
enum JSONDuplicateKeys {
    /// The first duplicated key and the 1-based line it is repeated on, or nil.
    static func first(in bytes: [UInt8]) -> (key: String, line: Int)? {
        var stack: [Set<[UInt8]>?] = []  // per open container: the keys seen (nil for arrays)
        var line = 1
        var i = 0
        var expectingKey = false
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            switch b {
            case 0x0A: line += 1
            case UInt8(ascii: "{"):
                stack.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                stack.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = stack.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                // A string: its raw bytes (escapes kept as written) up to the closing quote.
                var j = i + 1
                while j < n, bytes[j] != UInt8(ascii: "\"") {
                    if bytes[j] == UInt8(ascii: "\\") { j += 1 }
                    j += 1
                }
                if expectingKey, var keys = stack.last ?? nil {
                    let key = Array(bytes[(i + 1)..<min(j, n)])
                    if !keys.insert(key).inserted { return (String(decoding: key, as: UTF8.self), line) }
                    stack[stack.count - 1] = keys
                    expectingKey = false
                }
                i = j
            default: break
            }
            i += 1
        }
        return nil
    }
}
