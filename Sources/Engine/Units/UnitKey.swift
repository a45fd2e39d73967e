internal import StudioCore

/// How a job's units are named: `<stem>-<key>-<index>.<ext>` (`street-5f3a9c2e71b0-000007.png`).
///
/// `key` is a fingerprint of every input a unit's bytes depend on besides its index — the kind,
/// the generator's inputs by content (the recipe file, a GAN checkpoint, an external command and
/// its parameters), pinned parameters, overrides, and the seed — so two jobs that would make
/// different images can never write the same name, while a resumed job, or the shards of one,
/// make the same names for the same bytes. The count and the shard are not in it: unit `i` is the
/// same image whether the job makes 10 units or 10,000, in one run or eight.
public struct UnitKey: Sendable, Hashable {
    /// A readable prefix: the recipe's name, `gan`, `ext`.
    public let stem: String
    /// Twelve hex digits (48 bits).
    public let key: String

    /// The key of `inputs`, each a string or bytes, in order.
    public init(stem: String, inputs: [Input]) {
        var hash = StableHash()
        for input in inputs {
            switch input {
            case .text(let text): hash.combine(text)
            case .bytes(let bytes):
                hash.combine(bytes)
                hash.combine("\u{0}bytes:\(bytes.count)")
            }
        }
        self.stem = Self.safe(stem)
        key = hash.hex(12)
    }

    public enum Input: Sendable {
        case text(String)
        case bytes([UInt8])
    }

    /// The name of unit `index` with extension `ext`.
    public func name(_ index: Int, ext: String = "png") -> String {
        let digits = String(index)
        return "\(prefix)\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).\(ext)"
    }

    /// `<stem>-<key>-`: what every name of this job starts with.
    public var prefix: String { "\(stem)-\(key)-" }

    /// The index of a unit of this job named `name`, nil for a name of another job.
    public func index(of name: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let digits = rest[..<dot]
        guard digits.count >= 6, digits.allSatisfy(\.isASCII), let index = Int(digits), index >= 0 else { return nil }
        return index
    }

    /// Letters, digits, `_` and `-` of `text` (others become `_`), at most 40 characters.
    static func safe(_ text: String) -> String {
        let mapped = String(
            text.unicodeScalars.map {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") ? Character($0) : "_"
            })
        return mapped.isEmpty ? "unit" : String(mapped.prefix(40))
    }
}
